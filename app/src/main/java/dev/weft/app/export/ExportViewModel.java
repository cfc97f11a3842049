package dev.weft.app.export;

import dev.weft.app.common.Notification;
import dev.weft.app.common.Notifier;
import dev.weft.app.common.UiThread;
import dev.weft.app.project.Project;
import dev.weft.app.project.ProjectViewModel;
import dev.weft.app.storyboard.StoryboardViewModel;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Export: the story as an HTML page, a PDF or a PNG strip. The storyboard is snapshotted on the UI thread;
 * rendering and writing (atomic: a temporary file in the target's folder, then renamed over it) run on the I/O
 * executor.
 */
public final class ExportViewModel {
    private final StoryboardViewModel story;
    private final ProjectViewModel project;
    private final Notifier notifier;
    private final Executor io;
    private final UiThread ui;

    public ExportViewModel(StoryboardViewModel story, ProjectViewModel project, Notifier notifier, Executor io,
                           UiThread ui) {
        this.story = story;
        this.project = project;
        this.notifier = notifier;
        this.io = io;
        this.ui = ui;
    }

    /** A file name for the export, from the project's name. */
    public String suggestedName(String extension) {
        String n = project.displayName();
        int dot = n.lastIndexOf('.');
        return (dot > 0 ? n.substring(0, dot) : n) + "." + extension;
    }

    public CompletableFuture<Boolean> exportHtml(Path target) {
        Project p = story.toProject();
        String title = suggestedName("html").replaceFirst("\\.html$", "");
        return write(target, () -> HtmlExport.html(p, title).getBytes(StandardCharsets.UTF_8));
    }

    public CompletableFuture<Boolean> exportPdf(Path target) {
        Project p = story.toProject();
        String title = suggestedName("pdf").replaceFirst("\\.pdf$", "");
        return write(target, () -> PdfExport.pdf(p, title));
    }

    public CompletableFuture<Boolean> exportStrip(Path target) {
        Project p = story.toProject();
        return write(target, () -> {
            BufferedImage strip = StripExport.strip(p);
            if (strip == null) {
                throw new IOException("the story has no pictures or text to put in a strip");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(strip, "png", out);
            return out.toByteArray();
        });
    }

    private interface Render {
        byte[] bytes() throws IOException;
    }

    private CompletableFuture<Boolean> write(Path target, Render render) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        io.execute(() -> {
            Path tmp = null;
            try {
                byte[] bytes = render.bytes();
                Path dir = target.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
                ui.post(() -> {
                    notifier.publish(Notification.info("Exported", "Exported " + target.getFileName()));
                    done.complete(true);
                });
            } catch (IOException | RuntimeException e) {
                ui.post(() -> {
                    notifier.publish(Notification.error("Export failed", "Could not export "
                            + target.getFileName() + ": " + e.getMessage()));
                    done.complete(false);
                });
            } finally {
                if (tmp != null) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            }
        });
        return done;
    }
}
