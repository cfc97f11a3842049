package dev.weft.app.tour;

import ai.djl.Device;
import dev.weft.app.MainView;
import dev.weft.app.StudioViewModel;
import dev.weft.app.WeftStudio;
import dev.weft.app.common.FxDialogs;
import dev.weft.app.common.FxImages;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.service.EngineService;
import dev.weft.app.sketch.SegmentationPalette;
import dev.weft.app.sketch.SketchOp;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.app.style.StyleBoardViewModel;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Takes the user guide's screenshots from the real studio window (GTK under Xvfb, the real engine): a continued
 * story with its recipe, the dark theme, the queue with a running job, a sketch with its live preview and painted
 * picture, the style board with variants, the model dialog. Not a test: run it with {@code docs/screenshots/take.sh}
 * ({@code -Dweft.tour.only=model-dialog} takes only the model dialog's).
 *
 * <p>Arguments: the output folder. {@code -Dweft.model=DIR} picks the model (default: the bundled
 * {@code assets/weft-small}). With a model of Weft's world the tour opens the sample projects of {@code samples/}.
 */
public final class ScreenshotTour extends Application {
    private static Path out;

    private StudioViewModel studio;
    private MainView view;
    private Stage stage;

    public static void main(String[] args) {
        out = Path.of(args.length > 0 ? args[0] : "docs/screenshots");
        launch(args);
    }

    @Override
    public void start(Stage s) throws Exception {
        stage = s;
        Path config = Files.createTempDirectory("weft-tour");
        studio = StudioViewModel.builder().configDir(config).previewIntervalMillis(120).seeds(new java.util.Random(
                7)::nextInt).build();
        view = WeftStudio.show(s, studio, new FxDialogs(() -> s));
        s.setX(0);
        s.setY(0);
        s.setWidth(1360);
        s.setHeight(860);
        // the folder as the studio started here would name it (assets/weft-small), not this machine's full path
        Path model = EngineService.defaultModelDir();
        Path here = Path.of("").toAbsolutePath();
        studio.engine().load(model.isAbsolute() && model.startsWith(here) ? here.relativize(model) : model,
                Device.cpu());
        Thread t = new Thread(() -> {
            int code = 0;
            try {
                tour();
            } catch (Throwable e) {
                e.printStackTrace();
                code = 1;
            }
            int c = code;
            Platform.runLater(() -> {
                studio.close();
                Platform.exit();
                System.exit(c);
            });
        }, "tour");
        t.setDaemon(true);
        t.start();
    }

    // ------------------------------------------------------------------ helpers (tour thread)

    private static <T> T fx(Callable<T> c) throws Exception {
        return dev.weft.app.common.UiThread.callOnFx(c, 60);
    }

    private static void run(Runnable r) throws Exception {
        fx(() -> {
            r.run();
            return null;
        });
    }

    private static void waitFor(String what, BooleanSupplier done, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!fx(done::getAsBoolean)) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private void idle() throws Exception {
        waitFor("the queue", () -> studio.jobQueue().runningProperty().get() == null
                && studio.jobQueue().waitingProperty().get() == 0, 600);
    }

    private void shot(String name) throws Exception {
        Thread.sleep(600); // layout, CSS, image decoding
        BufferedImage img = fx(() -> FxImages.fromFx(stage.getScene().snapshot(null)));
        Files.createDirectories(out);
        ImageIO.write(img, "png", out.resolve(name + ".png").toFile());
        System.out.println("wrote " + out.resolve(name + ".png"));
    }

    private StoryboardViewModel sb() {
        return studio.storyboard();
    }

    // ------------------------------------------------------------------ the tour

    /** A sample project of {@code samples/}, opened as File > Open does. */
    private void open(String sample) throws Exception {
        Path f = Path.of(System.getProperty("weft.home", ".")).resolve("samples").resolve(sample);
        if (!fx(() -> studio.project().open(f)).get(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not open " + f);
        }
        fixedSeed();
    }

    /** The same pictures on every run: a fixed seed; steps, guidance and sampler stay the model's. */
    private void fixedSeed() throws Exception {
        run(() -> {
            var s = sb().settings();
            s.randomSeedProperty().set(false);
            s.seedProperty().set(11);
        });
    }

    private void tour() throws Exception {
        if ("model-dialog".equals(System.getProperty("weft.tour.only"))) {
            waitFor("the model", () -> studio.engine().isReady(), 600);
            modelDialog();
            return;
        }
        if (fx(() -> studio.engine().stateProperty().get() == EngineService.State.LOADING)) {
            Thread.sleep(150);
            shot("loading");
        }
        waitFor("the model", () -> studio.engine().isReady(), 600);
        boolean world = fx(() -> !studio.engine().palette().equals(SegmentationPalette.ade20k()));
        int steps = fx(() -> sb().settings().stepsProperty().get());

        // 1. a story (the illustrated-story sample, or a new one), continued; a picture's recipe and its earlier
        // version in the inspector
        if (world) {
            open("illustrated-story.weft");
        } else {
            fixedSeed();
            run(() -> sb().addText("A small red fox walks into a quiet forest at dawn."));
        }
        run(() -> sb().select(null));
        run(() -> sb().continueStory());
        idle();
        CellViewModel lastPicture = fx(() -> sb().cells().stream().filter(c -> c.getImage() != null)
                .reduce((x, y) -> y).orElseThrow());
        run(() -> sb().varySeed(lastPicture));
        idle();
        run(() -> sb().select(lastPicture));
        shot("storyboard");

        // 2. the same in the dark theme
        run(() -> studio.theme().darkProperty().set(true));
        shot("dark");
        run(() -> studio.theme().darkProperty().set(false));

        // 3. the queue while a long job runs and another waits
        CellViewModel last = fx(() -> sb().cells().get(sb().cells().size() - 1));
        run(() -> {
            sb().select(last);
            sb().settings().stepsProperty().set(400);
            sb().continueStory();
            sb().varySeed(lastPicture);
        });
        waitFor("a picture being painted", () -> {
            GenerationJob r = studio.jobQueue().runningProperty().get();
            return r != null && r.progressProperty().get() > 0.04 && r.previewProperty().get() != null;
        }, 600);
        shot("queue");
        run(() -> studio.jobQueue().cancelAll());
        idle();
        run(() -> sb().settings().stepsProperty().set(steps));

        // 4. a sketch: a map of the model's classes (the segmentation-maps sample, one more stroke drawn), its
        // caption, the live preview, and the picture painted from it
        CellViewModel sketch;
        if (world) {
            open("segmentation-maps.weft");
            sketch = fx(() -> sb().cells().stream().filter(CellViewModel::isSketch).findFirst().orElseThrow());
            run(() -> {
                sb().select(sketch);
                SegmentationPalette p = sketch.getSketch().palette();
                paint(sketch, p.byName("moon"), 32, new float[] {200, 50, 206, 56});
                sb().sketchTools().labelProperty().set(p.byName("moon"));
                sb().sketchTools().brushSizeProperty().set(32);
                sb().sketchTools().liveProperty().set(true);
            });
        } else {
            run(() -> studio.project().newProject());
            fixedSeed();
            sketch = fx(() -> sb().addSketch());
            run(() -> {
                SegmentationPalette p = sketch.getSketch().palette();
                sb().sketchOp(sketch, new SketchOp.Fill(p.byName("sky").id(), 5, 5));
                paint(sketch, p.byName("grass"), 64, new float[] {0, 200, 256, 200, 256, 240, 0, 240});
                paint(sketch, p.byName("tree"), 64, new float[] {60, 120, 60, 170});
                paint(sketch, p.byName("house"), 64, new float[] {170, 150, 210, 150});
                sb().editText(sketch, "a house and a tree on a meadow");
                sb().sketchTools().brushSizeProperty().set(16);
                sb().sketchTools().labelProperty().set(p.brushes().get(0));
                sb().sketchTools().liveProperty().set(true);
            });
        }
        waitFor("the live preview", () -> sketch.livePreviewProperty().get() != null, 600);
        idle();
        run(() -> sb().paintFromSketch(sketch));
        idle();
        run(() -> sb().select(sketch));
        shot("sketch");
        run(() -> sb().sketchTools().liveProperty().set(false));

        // 5. the style board: a reference (the pencil one of the style-board sample) and four variants
        if (world) {
            open("style-board.weft");
        }
        BufferedImage reference = fx(() -> sb().cells().stream().filter(c -> c.getImage() != null).findFirst()
                .orElseThrow().getImage());
        run(() -> {
            TabPane tabs = (TabPane) stage.getScene().getRoot().lookup(".tab-pane");
            tabs.getSelectionModel().select(1);
            StyleBoardViewModel st = studio.styleBoard();
            st.setReference(reference);
            st.textProperty().set(world ? "a large yellow star at the center on grass."
                    : "a lighthouse on a cliff at night");
            st.countProperty().set(4);
            st.paint();
        });
        idle();
        shot("style-board");

        // 6. Model > Choose Model…
        modelDialog();
    }

    /**
     * The model dialog, opened from Model > Choose Model… over the loaded model: its folder, the device, the memory
     * estimate against what this machine has free. Only the dialog's window is captured.
     */
    private void modelDialog() throws Exception {
        run(() -> {
            javafx.scene.control.MenuBar bar = (javafx.scene.control.MenuBar) stage.getScene().lookup("#menu");
            javafx.scene.control.MenuItem choose = bar.getMenus().stream().flatMap(m -> m.getItems().stream())
                    .filter(i -> "menu-choose-model".equals(i.getId())).findFirst().orElseThrow();
            Platform.runLater(choose::fire); // shows and waits: not inside this call
        });
        waitFor("the model dialog", () -> dialogScene() != null, 30);
        Thread.sleep(600);
        BufferedImage img = fx(() -> FxImages.fromFx(dialogScene().snapshot(null)));
        Files.createDirectories(out);
        ImageIO.write(img, "png", out.resolve("model-dialog.png").toFile());
        System.out.println("wrote " + out.resolve("model-dialog.png"));
        run(() -> ((javafx.scene.control.Button) ((javafx.scene.control.DialogPane) dialogScene().getRoot())
                .lookupButton(javafx.scene.control.ButtonType.CANCEL)).fire());
        waitFor("the dialog to close", () -> dialogScene() == null, 30);
    }

    private static javafx.scene.Scene dialogScene() {
        return javafx.stage.Window.getWindows().stream().map(javafx.stage.Window::getScene)
                .filter(sc -> sc != null && sc.lookup("#model-folder") != null).findFirst().orElse(null);
    }

    private void paint(CellViewModel sketch, SegmentationPalette.Entry e, double size, float[] points) {
        var tools = sb().sketchTools();
        tools.labelProperty().set(e);
        tools.brushSizeProperty().set(size);
        sb().sketchOp(sketch, tools.stroke(points, sketch.getSketch().palette()));
    }
}
