package dev.weft.app;

import dev.weft.app.common.FxImages;
import dev.weft.app.common.UiThread;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.service.EngineService;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.engine.pipeline.Document;
import dev.weft.engine.pipeline.DocumentJson;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * {@code weft-studio --smoke OUT.png}: the installer's check that an installed studio works. In the real window it
 * waits for the bundled model, opens the sample story ({@code <weft.home>/samples/docs/story.json}, or
 * {@code -Dweft.smoke.doc=FILE}), runs Continue once with a fixed seed, and when a new picture cell holds a picture
 * (not one flat colour) writes a snapshot of the window to OUT.png and exits 0. Anything else prints one line
 * naming what failed and exits 1. {@code -Dweft.smoke.timeout=SECONDS} (default 900) bounds the whole run.
 */
final class InstallSmoke {
    private final Stage stage;
    private final StudioViewModel studio;
    private final Path out;
    private final long deadline;

    private InstallSmoke(Stage stage, StudioViewModel studio, Path out) {
        this.stage = stage;
        this.studio = studio;
        this.out = out;
        this.deadline = System.nanoTime() + Long.getLong("weft.smoke.timeout", 900) * 1_000_000_000L;
    }

    /**
     * Starts the check on its own thread when the arguments hold {@code --smoke OUT.png}; else does nothing (also
     * when there are no parameters: an application started without {@code launch}, as in tests).
     */
    static void startIfAsked(Application.Parameters params, Stage stage, StudioViewModel studio) {
        List<String> args = params == null ? List.of() : params.getRaw();
        int i = args.indexOf("--smoke");
        if (i < 0) {
            return;
        }
        if (i + 1 >= args.size()) {
            System.err.println("smoke: FAILED: --smoke needs the path of the PNG to write");
            System.exit(1);
        }
        InstallSmoke s = new InstallSmoke(stage, studio, Path.of(args.get(i + 1)).toAbsolutePath());
        Thread t = new Thread(s::runAndExit, "weft-smoke");
        t.setDaemon(true);
        t.start();
    }

    private void runAndExit() {
        int code = 0;
        try {
            run();
            System.out.println("smoke: OK");
        } catch (Throwable e) {
            System.err.println("smoke: FAILED: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            code = 1;
        }
        int c = code;
        Platform.runLater(() -> {
            studio.project().closeCleanly();
            Platform.exit();
        });
        // Application.stop closes the engine; exit even if a native thread lingers
        try {
            Thread.sleep(5000);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
        System.exit(c);
    }

    private void run() throws Exception {
        waitFor("the window", () -> stage.isShowing() && stage.getScene().getWidth() > 0);
        System.out.printf("smoke: window shown, %.0fx%.0f, title \"%s\"%n", fx(() -> stage.getScene().getWidth()),
                fx(() -> stage.getScene().getHeight()), fx(stage::getTitle));

        waitFor("the model to load", () -> studio.engine().stateProperty().get() != EngineService.State.LOADING
                && studio.engine().stateProperty().get() != EngineService.State.NOT_LOADED);
        if (!fx(studio.engine()::isReady)) {
            throw new IllegalStateException(fx(() -> studio.engine().messageProperty().get()));
        }
        System.out.println("smoke: " + fx(() -> studio.engine().messageProperty().get()) + " on "
                + fx(() -> studio.engine().deviceProperty().get()));

        Path docFile = Path.of(System.getProperty("weft.smoke.doc",
                Path.of(System.getProperty("weft.home", ".")).resolve("samples/docs/story.json").toString()));
        Document doc = DocumentJson.read(docFile);
        StoryboardViewModel sb = studio.storyboard();
        int before = fx(() -> {
            for (Document.Item item : doc.items()) {
                if (item instanceof Document.Text t) {
                    sb.addText(t.text());
                } else if (item instanceof Document.Image im) {
                    sb.addImages(List.of(im.image()));
                }
            }
            var s = sb.settings();
            s.randomSeedProperty().set(false);
            s.seedProperty().set(42);
            s.imagesPerContinueProperty().set(1);
            return sb.cells().size();
        });
        System.out.println("smoke: opened " + docFile + " (" + before + " cells)");

        long t0 = System.nanoTime();
        GenerationJob job = fx(sb::continueStory);
        if (job == null) {
            throw new IllegalStateException("Continue did not start");
        }
        waitFor("Continue to finish", () -> job.getStatus().isFinished());
        if (fx(job::getStatus) != JobStatus.SUCCEEDED) {
            throw new IllegalStateException("Continue ended " + fx(job::getStatus) + ": " + fx(() ->
                    job.errorProperty().get()));
        }
        BufferedImage picture = fx(() -> sb.cells().subList(before, sb.cells().size()).stream()
                .map(CellViewModel::getImage).filter(i -> i != null).findFirst().orElse(null));
        if (picture == null) {
            throw new IllegalStateException("Continue made no picture cell");
        }
        if (flat(picture)) {
            throw new IllegalStateException("the generated picture is one flat colour");
        }
        String text = fx(() -> sb.cells().subList(before, sb.cells().size()).stream().filter(CellViewModel::isText)
                .map(CellViewModel::getText).findFirst().orElse(""));
        System.out.printf("smoke: Continue made %d cells in %.1f s: %s, picture %dx%d%n",
                fx(() -> sb.cells().size()) - before, (System.nanoTime() - t0) / 1e9,
                text.isEmpty() ? "no text" : "text \"" + text + "\"", picture.getWidth(), picture.getHeight());

        Thread.sleep(800); // layout, CSS and image decoding of the new cells
        fx(() -> {
            sb.select(sb.cells().get(sb.cells().size() - 1));
            return null;
        });
        Thread.sleep(400);
        BufferedImage shot = fx(() -> FxImages.fromFx(stage.getScene().snapshot(null)));
        Files.createDirectories(out.getParent());
        ImageIO.write(shot, "png", out.toFile());
        System.out.println("smoke: wrote " + out + " (" + shot.getWidth() + "x" + shot.getHeight() + ")");
    }

    private static boolean flat(BufferedImage img) {
        int first = img.getRGB(0, 0);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (img.getRGB(x, y) != first) {
                    return false;
                }
            }
        }
        return true;
    }

    private void waitFor(String what, BooleanSupplier done) throws Exception {
        while (!fx(done::getAsBoolean)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    private <T> T fx(Callable<T> c) throws Exception {
        return UiThread.callOnFx(c, 120);
    }
}
