package dev.weft.app.project;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.weft.app.common.ImageFiles;
import dev.weft.app.sketch.Sketch;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The {@code .weft} project file: a zip of {@code project.json} (with a top-level {@code formatVersion}) and the
 * pictures as PNG under {@code images/}. Writing is atomic (a temporary file in the same folder, flushed to disk,
 * then renamed over the target), so a crash mid-save leaves the old file intact. Reading refuses, with a message
 * naming the problem, a file that is not a zip or is damaged, one from a newer Weft, entries whose names escape
 * the project (zip-slip), and oversized entries or pictures; nothing is extracted to disk.
 *
 * <p>Pictures are treated as immutable everywhere in the studio, so their PNG bytes are cached by identity and
 * repeated saves and autosaves do not re-encode them.
 */
public final class ProjectFile {
    /** The format this version writes; it reads 1 to this. */
    public static final int FORMAT_VERSION = 1;
    public static final String EXTENSION = ".weft";
    static final String PROJECT_JSON = "project.json";
    static final long MAX_JSON_BYTES = 32L * 1024 * 1024;
    static final long MAX_IMAGE_BYTES = 256L * 1024 * 1024;
    static final int MAX_ENTRIES = 100_000;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Map<BufferedImage, byte[]> PNG_CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private ProjectFile() { }

    // ------------------------------------------------------------------ JSON layout

    record ProjectJson(int formatVersion, String generator, Project.Settings settings, List<CellJson> cells) { }

    record CellJson(String id, String kind, String text, String image, RecipeJson recipe, List<VersionJson> history,
                    Sketch sketch) { }

    record VersionJson(String text, String image, RecipeJson recipe) { }

    record RecipeJson(String mode, List<String> contextCellIds, String context, String prompt, long seed, int steps,
                      float guidance, String scheduler, int maxTokens, String modelId, long createdAt,
                      String reference) { }

    // ------------------------------------------------------------------ writing

    /** Writes atomically; on failure the target is untouched and the temporary file removed. */
    public static void write(Path target, Project project) throws ProjectFileException {
        Path abs = target.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(abs.getParent());
            tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream raw = Channels.newOutputStream(ch);
                ZipOutputStream zip = new ZipOutputStream(raw);
                writeZip(zip, project);
                zip.finish();
                zip.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException | RuntimeException e) {
            throw new ProjectFileException("Could not save " + abs.getFileName() + ": " + e.getMessage()
                    + ". The file on disk was not changed.", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    private static void writeZip(ZipOutputStream zip, Project project) throws IOException {
        Map<BufferedImage, String> names = new IdentityHashMap<>();
        List<CellJson> cells = new ArrayList<>();
        for (CellData c : project.cells()) {
            List<VersionJson> history = new ArrayList<>();
            for (Version v : c.history()) {
                history.add(new VersionJson(v.text(), imageName(names, v.image()), recipeJson(names, v.recipe())));
            }
            cells.add(new CellJson(c.id(), c.kind().name().toLowerCase(), c.text(), imageName(names, c.image()),
                    recipeJson(names, c.recipe()), history, c.sketch()));
        }
        ProjectJson json = new ProjectJson(FORMAT_VERSION, "Weft studio", project.settings(), cells);
        ZipEntry je = new ZipEntry(PROJECT_JSON);
        zip.putNextEntry(je);
        zip.write(JSON.writeValueAsBytes(json));
        zip.closeEntry();
        for (Map.Entry<BufferedImage, String> e : sortedByName(names)) {
            byte[] png = png(e.getKey());
            ZipEntry ze = new ZipEntry(e.getValue());
            // PNG is compressed already: store it
            ze.setMethod(ZipEntry.STORED);
            ze.setSize(png.length);
            ze.setCompressedSize(png.length);
            CRC32 crc = new CRC32();
            crc.update(png);
            ze.setCrc(crc.getValue());
            zip.putNextEntry(ze);
            zip.write(png);
            zip.closeEntry();
        }
    }

    private static RecipeJson recipeJson(Map<BufferedImage, String> names, Recipe r) {
        if (r == null) {
            return null;
        }
        return new RecipeJson(r.mode().name(), r.contextCellIds(), r.context(), r.prompt(), r.seed(), r.steps(),
                r.guidance(), r.scheduler(), r.maxTokens(), r.modelId(), r.createdAt(),
                imageName(names, r.reference()));
    }

    private static List<Map.Entry<BufferedImage, String>> sortedByName(Map<BufferedImage, String> names) {
        List<Map.Entry<BufferedImage, String>> l = new ArrayList<>(names.entrySet());
        l.sort((a, b) -> Integer.compare(number(a.getValue()), number(b.getValue())));
        return l;
    }

    private static int number(String name) {
        return Integer.parseInt(name.substring("images/".length(), name.length() - ".png".length()));
    }

    private static String imageName(Map<BufferedImage, String> names, BufferedImage img) {
        if (img == null) {
            return null;
        }
        return names.computeIfAbsent(img, k -> "images/" + names.size() + ".png");
    }

    /** PNG bytes of a picture, cached by identity (pictures are never modified in place). */
    public static byte[] png(BufferedImage img) {
        byte[] b = PNG_CACHE.get(img);
        if (b == null) {
            b = ImageFiles.encodePng(img);
            PNG_CACHE.put(img, b);
        }
        return b;
    }

    // ------------------------------------------------------------------ reading

    /** Reads a project; every problem becomes a {@link ProjectFileException} with a message for the user. */
    public static Project read(Path file) throws ProjectFileException {
        String name = file.getFileName().toString();
        if (!Files.isRegularFile(file)) {
            throw new ProjectFileException(name + " was not found.");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Map<String, ZipEntry> entries = checkedEntries(zip, name);
            ZipEntry pj = entries.get(PROJECT_JSON);
            if (pj == null) {
                throw new ProjectFileException(name + " is not a Weft project: it has no " + PROJECT_JSON + ".");
            }
            byte[] jsonBytes = readBounded(zip, pj, MAX_JSON_BYTES, name);
            ProjectJson json = parse(jsonBytes, name);
            Map<String, BufferedImage> images = new HashMap<>();
            List<CellData> cells = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (CellJson c : json.cells() == null ? List.<CellJson>of() : json.cells()) {
                cells.add(toCell(c, zip, entries, images, ids, name));
            }
            return new Project(cells, json.settings());
        } catch (ZipException e) {
            throw new ProjectFileException(name + " is damaged or is not a Weft project (" + e.getMessage()
                    + "). It was not opened and was left as it is.", e);
        } catch (IOException e) {
            throw new ProjectFileException("Could not read " + name + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // bad entry-name encoding from ZipFile, or an invalid cell from the records' checks
            throw new ProjectFileException(name + " is damaged: " + e.getMessage()
                    + ". It was not opened and was left as it is.", e);
        }
    }

    private static Map<String, ZipEntry> checkedEntries(ZipFile zip, String file) throws ProjectFileException {
        Map<String, ZipEntry> out = new HashMap<>();
        Enumeration<? extends ZipEntry> en = zip.entries();
        while (en.hasMoreElements()) {
            ZipEntry e = en.nextElement();
            checkEntryName(e.getName(), file);
            if (out.size() >= MAX_ENTRIES) {
                throw new ProjectFileException(file + " has too many entries (over " + MAX_ENTRIES + ").");
            }
            out.put(e.getName(), e);
        }
        return out;
    }

    /** Refuses entry names that would land outside the project folder if extracted (zip-slip). */
    static void checkEntryName(String entry, String file) throws ProjectFileException {
        boolean bad = entry.isEmpty() || entry.startsWith("/") || entry.contains("\\") || entry.contains(":")
                || entry.indexOf('\0') >= 0;
        if (!bad) {
            for (String seg : entry.split("/")) {
                if (seg.equals("..")) {
                    bad = true;
                    break;
                }
            }
        }
        if (!bad) {
            Path base = Path.of("project");
            bad = !base.resolve(entry).normalize().startsWith(base);
        }
        if (bad) {
            throw new ProjectFileException(file + " contains an entry that points outside the project (\""
                    + entry + "\"). Such files can overwrite other files; it was not opened.");
        }
    }

    private static ProjectJson parse(byte[] bytes, String file) throws ProjectFileException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new ProjectFileException(file + " is damaged: its " + PROJECT_JSON + " is not valid JSON.", e);
        }
        if (root == null || !root.isObject() || !root.path("formatVersion").isInt()) {
            throw new ProjectFileException(file + " is not a Weft project: " + PROJECT_JSON
                    + " has no formatVersion.");
        }
        int v = root.get("formatVersion").asInt();
        if (v > FORMAT_VERSION) {
            throw new ProjectFileException(file + " was saved by a newer Weft (project format " + v
                    + "; this Weft reads formats 1 to " + FORMAT_VERSION + "). Update Weft to open it; the file "
                    + "was not changed.");
        }
        if (v < 1) {
            throw new ProjectFileException(file + " has an unknown project format (" + v + ").");
        }
        try {
            return JSON.treeToValue(root, ProjectJson.class);
        } catch (JsonProcessingException e) {
            throw new ProjectFileException(file + " is damaged: " + PROJECT_JSON + " does not match the project "
                    + "format (" + e.getOriginalMessage() + ").", e);
        } catch (IllegalArgumentException e) {
            throw new ProjectFileException(file + " is damaged: " + PROJECT_JSON + " does not match the project "
                    + "format (" + e.getMessage() + ").", e);
        }
    }

    private static CellData toCell(CellJson c, ZipFile zip, Map<String, ZipEntry> entries,
                                   Map<String, BufferedImage> images, Set<String> ids, String file)
            throws IOException, ProjectFileException {
        if (c == null || c.id() == null || !ids.add(c.id())) {
            throw new ProjectFileException(file + " is damaged: a cell has no id or a repeated id.");
        }
        CellKind kind;
        try {
            kind = CellKind.valueOf(String.valueOf(c.kind()).toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new ProjectFileException(file + ": cell " + c.id() + " has an unknown kind \"" + c.kind()
                    + "\" (this Weft knows text, image and sketch).");
        }
        List<Version> history = new ArrayList<>();
        if (c.history() != null) {
            for (VersionJson v : c.history()) {
                history.add(new Version(v.text(), image(v.image(), zip, entries, images, file),
                        recipe(v.recipe(), zip, entries, images, file)));
            }
        }
        return new CellData(c.id(), kind, c.text(), image(c.image(), zip, entries, images, file),
                recipe(c.recipe(), zip, entries, images, file), history, c.sketch());
    }

    private static Recipe recipe(RecipeJson r, ZipFile zip, Map<String, ZipEntry> entries,
                                 Map<String, BufferedImage> images, String file)
            throws IOException, ProjectFileException {
        if (r == null) {
            return null;
        }
        Recipe.Mode mode;
        try {
            mode = Recipe.Mode.valueOf(String.valueOf(r.mode()));
        } catch (IllegalArgumentException e) {
            throw new ProjectFileException(file + ": a recipe has an unknown mode \"" + r.mode() + "\".");
        }
        return new Recipe(mode, r.contextCellIds(), r.context(), r.prompt(), r.seed(), r.steps(), r.guidance(),
                r.scheduler(), r.maxTokens(), r.modelId(), r.createdAt(),
                image(r.reference(), zip, entries, images, file));
    }

    private static BufferedImage image(String entry, ZipFile zip, Map<String, ZipEntry> entries,
                                       Map<String, BufferedImage> images, String file)
            throws IOException, ProjectFileException {
        if (entry == null) {
            return null;
        }
        BufferedImage done = images.get(entry);
        if (done != null) {
            return done;
        }
        checkEntryName(entry, file);
        ZipEntry e = entries.get(entry);
        if (e == null) {
            throw new ProjectFileException(file + " is damaged: the picture " + entry + " is missing.");
        }
        byte[] bytes = readBounded(zip, e, MAX_IMAGE_BYTES, file);
        BufferedImage img;
        try {
            img = ImageFiles.decode(bytes, entry);
        } catch (ImageFiles.ImageRejectedException r) {
            throw new ProjectFileException(file + ": " + r.getMessage() + ". The project was not opened.");
        }
        PNG_CACHE.put(img, bytes);
        images.put(entry, img);
        return img;
    }

    /** Reads an entry, refusing more than {@code max} bytes whatever its header claims. */
    private static byte[] readBounded(ZipFile zip, ZipEntry e, long max, String file)
            throws IOException, ProjectFileException {
        if (e.getSize() > max) {
            throw new ProjectFileException(file + ": the entry " + e.getName() + " is too large (" + e.getSize()
                    + " bytes; at most " + max + ").");
        }
        try (InputStream in = zip.getInputStream(e)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > max) {
                    throw new ProjectFileException(file + ": the entry " + e.getName() + " is too large (over "
                            + max + " bytes).");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }
}
