package dev.weft.app.export;

import dev.weft.app.common.Notification;
import dev.weft.app.common.Notifier;
import dev.weft.app.common.UiThread;
import dev.weft.app.project.CellData;
import dev.weft.app.project.CellKind;
import dev.weft.app.project.Project;
import dev.weft.app.project.ProjectViewModel;
import dev.weft.app.project.Recipe;
import dev.weft.app.sketch.SketchRasterizer;
import dev.weft.app.storyboard.CellViewModel;
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
 * Export: the story as an HTML page, a PDF or a PNG strip; its pictures as PNGs that carry their recipes. The
 * storyboard is snapshotted on the UI thread; rendering and writing (atomic: a temporary file in the target's
 * folder, then renamed over it) run on the I/O executor.
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

    /** Saves one cell's picture (a sketch: its map) as a PNG that carries its recipe or caption. */
    public CompletableFuture<Boolean> savePicture(CellViewModel cell, Path target) {
        BufferedImage img = cell.isSketch() ? SketchRasterizer.rasterize(cell.getSketch()) : cell.getImage();
        if (img == null) {
            notifier.publish(Notification.info("No picture", "This cell has no picture to save."));
            return CompletableFuture.completedFuture(false);
        }
        Recipe r = cell.isSketch() ? null : cell.getRecipe();
        String description = cell.isSketch() ? cell.getText() : r == null ? null : r.prompt();
        return write(target, () -> PictureFiles.png(img, r, description));
    }

    /**
     * Every picture of the story as numbered PNGs in a folder ({@code 01.png}, ...), with their recipes; sketches
     * as their segmentation maps ({@code 03-map.png}) with their captions. Each file is written atomically.
     */
    public CompletableFuture<Boolean> exportPictures(Path folder) {
        Project p = story.toProject();
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        io.execute(() -> {
            int n = 0;
            int written = 0;
            try {
                Files.createDirectories(folder);
                int digits = Math.max(2, String.valueOf(p.cells().size()).length());
                for (CellData c : p.cells()) {
                    String number = String.format("%0" + digits + "d", ++n);
                    if (c.kind() == CellKind.IMAGE && c.image() != null) {
                        writeAtomically(folder.resolve(number + ".png"), PictureFiles.png(c.image(), c.recipe(),
                                c.recipe() == null ? null : c.recipe().prompt()));
                        written++;
                    } else if (c.kind() == CellKind.SKETCH && !c.sketch().isBlank()) {
                        writeAtomically(folder.resolve(number + "-map.png"), PictureFiles.png(
                                SketchRasterizer.rasterize(c.sketch()), null, c.text()));
                        written++;
                    }
                }
                int count = written;
                ui.post(() -> {
                    notifier.publish(Notification.info("Exported", count == 0 ? "The story has no pictures."
                            : "Exported " + count + (count == 1 ? " picture to " : " pictures to ") + folder));
                    done.complete(count > 0);
                });
            } catch (IOException | RuntimeException e) {
                ui.post(() -> {
                    notifier.publish(Notification.error("Export failed", "Could not export the pictures to "
                            + folder + ": " + e.getMessage()));
                    done.complete(false);
                });
            }
        });
        return done;
    }

    /** A temporary file in the target's folder, renamed over the target; on failure the temporary file goes. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
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

    private interface Render {
        byte[] bytes() throws IOException;
    }

    private CompletableFuture<Boolean> write(Path target, Render render) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        io.execute(() -> {
            try {
                writeAtomically(target, render.bytes());
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
            }
        });
        return done;
    }
}
