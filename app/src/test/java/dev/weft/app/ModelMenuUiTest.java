package dev.weft.app;

import ai.djl.Device;
import dev.weft.app.common.Notification;
import dev.weft.app.common.UiThread;
import dev.weft.app.project.Recovery;
import dev.weft.app.service.EngineService;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.testing.ScriptedDialogs;
import dev.weft.app.testing.SmallEngine;
import dev.weft.app.testing.TinyEngine;
import dev.weft.engine.Engine;
import dev.weft.engine.diffusion.schedulers.SchedulerKind;
import dev.weft.engine.memory.MemoryProbe;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Model > Choose Model… in the window, headless (Monocle), with the studio's own loader (off the UI thread, the
 * engine's {@link Engine#load}): the tiny model loads at start; the dialog, opened from the menu, is given the
 * bundled weft-small, shows its memory estimate and loads it with the status bar's progress bar; the status bar then
 * shows the model, the device and the weights' memory, the toolbar the model's settings, and the story is kept. A
 * folder without weights, opened with Ctrl+M, ends in an error dialog with weft-small still loaded.
 */
@ExtendWith(ApplicationExtension.class)
class ModelMenuUiTest {
    @TempDir
    Path dir;

    private StudioViewModel studio;
    private MainView view;
    private ExecutorService loader;
    private final ScriptedDialogs dialogs = new ScriptedDialogs();
    /** Values of the status bar's progress bar while it was shown. */
    private final List<Double> progressShown = new CopyOnWriteArrayList<>();

    @Start
    void start(Stage s) {
        assumeFalse(Boolean.getBoolean("weft.skipNativeTests"), "native tests skipped (-DskipNativeTests)");
        assumeTrue(Files.isRegularFile(SmallEngine.DIR.resolve("config.json")), "no bundled model");
        loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "test-model-loader");
            t.setDaemon(true);
            return t;
        });
        EngineService engine = new EngineService(loader, UiThread.fx());
        studio = StudioViewModel.builder().ui(UiThread.fx()).engine(engine).configDir(dir.resolve("config"))
                .recovery(new Recovery(dir.resolve("config/recovery"), 1, p -> false))
                .memoryProbe(MemoryProbe.fixed(64L << 30, -1)).gpuCount(() -> 0).build();
        view = WeftStudio.show(s, studio, dialogs);
        ProgressBar bar = (ProgressBar) s.getScene().lookup("#status-loading");
        bar.progressProperty().addListener((o, a, b) -> {
            if (bar.isVisible()) {
                progressShown.add(b.doubleValue());
            }
        });
        engine.load(TinyEngine.DIR, Device.cpu());
    }

    @AfterEach
    void close() throws Exception {
        if (studio == null) {
            return;
        }
        WaitForAsyncUtils.asyncFx(() -> {
            studio.jobQueue().cancelAll();
            view.dispose();
        }).get(5, TimeUnit.SECONDS);
        studio.close();
        loader.shutdown();
    }

    private static void waitUntil(BooleanSupplier done, int seconds) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS,
                () -> UiThread.callOnFx(done::getAsBoolean, 5));
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    private static boolean dialogOpen() {
        return Window.getWindows().stream().anyMatch(w -> w.getScene() != null
                && w.getScene().lookup("#model-folder") != null);
    }

    @Test
    void chooseTheBundledModelFromTheMenuThenAFolderWithoutWeightsIsRefused(FxRobot robot) throws Exception {
        EngineService engine = studio.engine();
        waitUntil(engine::isReady, 60);
        assertEquals("Model: tiny  |  Device: CPU", text(robot, "#status-model"));
        robot.interact(() -> studio.storyboard().addText("A red circle on grass."));
        assertEquals(SchedulerKind.DDPM, studio.storyboard().settings().schedulerProperty().get());

        // Model > Choose Model…: starts at the loaded model's folder
        robot.clickOn("Model").clickOn("Choose Model…");
        waitUntil(ModelMenuUiTest::dialogOpen, 10);
        assertTrue(text(robot, "#model-estimate").startsWith("tiny: 1,260,161 parameters"),
                text(robot, "#model-estimate"));
        dialogs.files.add(SmallEngine.DIR);
        robot.clickOn("#model-choose");
        WaitForAsyncUtils.waitForFxEvents();
        String estimate = text(robot, "#model-estimate");
        assertTrue(estimate.startsWith("weft-small: ") && estimate.endsWith("Free now: 64.0 GiB."), estimate);
        assertEquals("", text(robot, "#model-warning"));
        progressShown.clear();
        robot.clickOn("Load");

        waitUntil(() -> engine.isReady() && engine.modelId().equals("weft-small"), 120);
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(dialogOpen());
        assertEquals("Model: weft-small  |  Device: CPU", text(robot, "#status-model"));
        assertTrue(text(robot, "#status-memory").startsWith("Weights 18 MB  |  Heap "),
                text(robot, "#status-memory"));
        assertFalse(robot.lookup("#status-loading").query().isVisible(), "the progress bar is gone");
        assertTrue(progressShown.stream().anyMatch(f -> f > 0 && f < 1), "the bar moved: " + progressShown);
        assertEquals(SchedulerKind.DDIM, studio.storyboard().settings().schedulerProperty().get(),
                "the toolbar shows weft-small's generation.json");
        assertEquals(30, studio.storyboard().settings().stepsProperty().get());
        List<CellViewModel> cells = studio.storyboard().cells();
        assertEquals(1, cells.size());
        assertEquals("A red circle on grass.", cells.get(0).getText(), "the story is kept");
        assertTrue(dialogs.shown.isEmpty(), "no error: " + dialogs.shown);

        // Ctrl+M, a folder without weights: an error dialog, weft-small stays
        Path noWeights = Files.createDirectories(dir.resolve("no-weights"));
        Files.copy(TinyEngine.DIR.resolve("config.json"), noWeights.resolve("config.json"));
        Files.copy(TinyEngine.DIR.resolve("tokenizer.json"), noWeights.resolve("tokenizer.json"));
        robot.press(KeyCode.CONTROL).type(KeyCode.M).release(KeyCode.CONTROL);
        waitUntil(ModelMenuUiTest::dialogOpen, 10);
        assertTrue(text(robot, "#model-estimate").startsWith("weft-small: "), "starts at the loaded folder");
        dialogs.files.add(noWeights);
        robot.clickOn("#model-choose");
        robot.clickOn("Load");
        waitUntil(() -> !dialogs.shown.isEmpty(), 60);
        Notification n = dialogs.shown.get(0);
        assertEquals(Notification.Level.ERROR, n.level());
        assertTrue(n.message().startsWith(noWeights + " was not loaded: "), n.message());
        assertTrue(n.message().contains("no .safetensors or pytorch_model*.bin weights"), n.message());
        assertTrue(n.message().endsWith("weft-small stays loaded on CPU; your story is unchanged."), n.message());
        assertEquals("Model: weft-small  |  Device: CPU", text(robot, "#status-model"));
        assertTrue(studio.storyboard().canGenerateBinding().get());
        assertEquals(1, dialogs.shown.size());
    }
}
