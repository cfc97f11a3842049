package dev.weft.app.service;

import ai.djl.Device;
import dev.weft.app.StudioViewModel;
import dev.weft.app.common.Notification;
import dev.weft.app.common.UiThread;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.testing.ManualExecutor;
import dev.weft.app.testing.TinyEngine;
import dev.weft.engine.weights.WeightsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading off the UI thread: jobs wait for the model; a failed load is reported and the studio keeps working. */
class EngineServiceTest {
    @TempDir
    Path dir;

    @Test
    void jobsWaitForTheModelThenRun() {
        ManualExecutor loader = new ManualExecutor();
        EngineService engine = new EngineService(loader, UiThread.direct(), (d, dev, progress) -> TinyEngine.get(),
                false);
        StudioViewModel s = StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run)
                .io(Runnable::run).engine(engine).configDir(dir).build();
        TinyEngine.fast(s.storyboard().settings());
        engine.load(TinyEngine.DIR, Device.cpu());
        assertEquals(EngineService.State.LOADING, engine.stateProperty().get());
        assertTrue(s.status().loadingBinding().get());
        s.storyboard().addText("Waiting for the model.");
        GenerationJob job = s.storyboard().continueStory();
        assertEquals(JobStatus.QUEUED, job.getStatus(), "queued until the model is there");
        assertTrue(s.queue().summaryBinding().get().startsWith("Waiting for the model"));
        loader.runAll();
        assertEquals(EngineService.State.READY, engine.stateProperty().get());
        assertEquals(JobStatus.SUCCEEDED, job.getStatus(), () -> String.valueOf(job.getError()));
        assertTrue(s.status().modelBinding().get().contains("Model: tiny"));
    }

    @Test
    void aFailedLoadIsReportedAndNothingRuns() {
        EngineService engine = new EngineService(Runnable::run, UiThread.direct(), (d, dev, progress) -> {
            throw new WeightsException(d + "/model.safetensors: truncated (expected 5159900 bytes, found 12)");
        }, true);
        StudioViewModel s = StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run)
                .io(Runnable::run).engine(engine).configDir(dir).build();
        engine.load(dir.resolve("broken"), Device.cpu());
        assertEquals(EngineService.State.FAILED, engine.stateProperty().get());
        Notification n = s.notifier().last();
        assertEquals(Notification.Level.ERROR, n.level());
        assertTrue(n.message().contains("truncated"), n.message());
        assertTrue(s.status().modelBinding().get().contains("failed to load"));
        assertFalse(s.storyboard().canGenerateBinding().get());
        s.storyboard().addText("still editable");
        assertEquals(1, s.storyboard().cells().size());
    }

    @Test
    void loadingShowsHowMuchOfTheWeightsIsReadAndThePaletteFirst() {
        ManualExecutor loader = new ManualExecutor();
        dev.weft.app.testing.UiQueue ui = new dev.weft.app.testing.UiQueue();
        java.util.List<Double> seen = new java.util.ArrayList<>();
        EngineService engine = new EngineService(loader, ui, (d, dev, progress) -> {
            for (long i = 0; i <= 1000; i++) {
                progress.accept(i * 5, 5000L);
                if (i == 500) {
                    ui.drain(); // the UI thread runs while loading
                }
            }
            return TinyEngine.get();
        }, false);
        engine.loadProgressProperty().addListener((o, a, b) -> seen.add(b.doubleValue()));
        StudioViewModel s = StudioViewModel.builder().ui(ui).generation(Runnable::run).io(Runnable::run)
                .engine(engine).configDir(dir).build();
        engine.load(TinyEngine.DIR, Device.cpu());
        assertEquals(-1, engine.loadProgressProperty().get(), "unknown before the first tensor");
        assertEquals("ADE20K", engine.palette().name());
        loader.runAll();
        ui.drain();
        assertEquals(EngineService.State.READY, engine.stateProperty().get());
        assertEquals(1.0, engine.loadProgressProperty().get());
        assertTrue(seen.stream().anyMatch(f -> f > 0.45 && f < 0.55), "seen half way: " + seen);
        assertTrue(seen.size() <= 1 / EngineService.PROGRESS_STEP + 3, "throttled: " + seen.size() + " updates");
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) >= seen.get(i - 1), "only forward");
        }
        assertEquals("tiny", engine.palette().name(), "the tiny model's palette.json (named after its folder)");
        assertEquals("circle", engine.palette().brushes().get(0).name());
        assertTrue(s.status().modelBinding().get().contains("Model: tiny"));
    }

    @Test
    void theStatusBarSaysHowFarLoadingHasCome() {
        ManualExecutor loader = new ManualExecutor();
        dev.weft.app.testing.UiQueue ui = new dev.weft.app.testing.UiQueue();
        AtomicReference<String> during = new AtomicReference<>();
        EngineService[] engine = new EngineService[1];
        StudioViewModel[] s = new StudioViewModel[1];
        engine[0] = new EngineService(loader, ui, (d, dev, progress) -> {
            progress.accept(250L, 1000L);
            ui.drain();
            during.set(s[0].status().modelBinding().get());
            return TinyEngine.get();
        }, false);
        s[0] = StudioViewModel.builder().ui(ui).generation(Runnable::run).io(Runnable::run).engine(engine[0])
                .configDir(dir).build();
        engine[0].load(TinyEngine.DIR, Device.cpu());
        loader.runAll();
        assertTrue(during.get().startsWith("Loading model 25%"), during.get());
    }
}
