package dev.weft.app.project;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongPredicate;

/**
 * Autosave for crash recovery. Each running studio writes its unsaved work to {@code autosave-<pid>.weft} (plus a
 * small {@code .json} naming the project file it belongs to) in the recovery folder; a clean exit deletes both.
 * At start-up, a recovery file left by a process that is no longer alive is offered to the user.
 */
public final class Recovery {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final long pid;
    private final LongPredicate alive;

    /** What was left behind by a session that did not exit cleanly. */
    public record Found(Path file, Path originalFile, long savedAt, long pid) { }

    record Meta(String originalFile, long savedAt, long pid) { }

    /**
     * @param pid   this session's id (the process id in the studio)
     * @param alive whether the session with that id still runs
     */
    public Recovery(Path dir, long pid, LongPredicate alive) {
        this.dir = dir;
        this.pid = pid;
        this.alive = alive;
    }

    public static Recovery forThisProcess(Path dir) {
        return new Recovery(dir, ProcessHandle.current().pid(),
                p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));
    }

    public Path file() {
        return dir.resolve("autosave-" + pid + ProjectFile.EXTENSION);
    }

    private static Path metaOf(Path weft) {
        String n = weft.getFileName().toString();
        return weft.resolveSibling(n.substring(0, n.length() - ProjectFile.EXTENSION.length()) + ".json");
    }

    /** Writes this session's recovery file (atomically), remembering which project file it belongs to. */
    public void save(Project p, Path originalFile) throws ProjectFileException {
        ProjectFile.write(file(), p);
        try {
            Path meta = metaOf(file());
            Path tmp = Files.createTempFile(dir, ".meta", ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(new Meta(originalFile == null ? null
                    : originalFile.toAbsolutePath().toString(), System.currentTimeMillis(), pid)));
            Files.move(tmp, meta, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ProjectFileException("Could not write the recovery note: " + e.getMessage(), e);
        }
    }

    /** Deletes this session's recovery file (clean exit, or nothing unsaved any more). */
    public void clear() {
        delete(file());
    }

    /** The newest recovery file left by a session that is no longer running, if any. */
    public Optional<Found> findAbandoned() {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Found best = null;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "autosave-*" + ProjectFile.EXTENSION)) {
            for (Path f : s) {
                String n = f.getFileName().toString();
                long owner;
                try {
                    owner = Long.parseLong(n.substring("autosave-".length(),
                            n.length() - ProjectFile.EXTENSION.length()));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (owner == pid || alive.test(owner)) {
                    continue;
                }
                Meta m = readMeta(f);
                long at = m != null ? m.savedAt() : Files.getLastModifiedTime(f).toMillis();
                Path orig = m != null && m.originalFile() != null ? Path.of(m.originalFile()) : null;
                if (best == null || at > best.savedAt()) {
                    best = new Found(f, orig, at, owner);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(best);
    }

    private static Meta readMeta(Path weft) {
        try {
            return JSON.readValue(metaOf(weft).toFile(), Meta.class);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Removes a found recovery file once restored or declined. */
    public void discard(Found f) {
        delete(f.file());
    }

    private static void delete(Path weft) {
        try {
            Files.deleteIfExists(weft);
            Files.deleteIfExists(metaOf(weft));
        } catch (IOException ignored) {
            // a stale recovery file is offered again next time; harmless
        }
    }
}
