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
        EngineService engine = new EngineService(loader, UiThread.direct(), (d, dev) -> TinyEngine.get(), false);
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
        EngineService engine = new EngineService(Runnable::run, UiThread.direct(), (d, dev) -> {
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
}
