package dev.weft.app.model;

import ai.djl.Device;
import dev.weft.app.StudioViewModel;
import dev.weft.app.common.Notification;
import dev.weft.app.common.UiThread;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.service.EngineService;
import dev.weft.app.storyboard.GenerationSettings;
import dev.weft.app.testing.ManualExecutor;
import dev.weft.app.testing.SmallEngine;
import dev.weft.app.testing.TinyEngine;
import dev.weft.engine.Engine;
import dev.weft.engine.diffusion.schedulers.SchedulerKind;
import dev.weft.engine.memory.MemoryProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loading another model through the model dialog's ViewModel while one is loaded, on the real engine loader: a
 * folder without weights, one whose tensors have the wrong shapes and one the memory plan refuses are each reported
 * as an error and leave the loaded model in place and usable; a good folder replaces it, the settings follow the
 * new model's {@code generation.json} except what the user changed, and the old model is closed only after a job
 * still running on it has finished.
 */
class ModelLoadingTest {
    @TempDir
    Path dir;

    /** Memory the engine's loader sees as free (plenty unless a test says otherwise). */
    final AtomicReference<MemoryProbe> free = new AtomicReference<>(MemoryProbe.fixed(-1, -1));

    /**
     * A studio on the shared tiny engine; other folders go through {@link Engine#load} (the shared weft-small engine
     * for its folder, so it is loaded once per test JVM).
     */
    private StudioViewModel studio() {
        EngineService engine = new EngineService(Runnable::run, UiThread.direct(), (d, dev, p) -> {
            if (d.equals(TinyEngine.DIR)) {
                return TinyEngine.get();
            }
            if (d.equals(SmallEngine.DIR) && free.get().hostAvailable() < 0) {
                return SmallEngine.get();
            }
            return Engine.load(d, dev, p, free.get());
        }, false);
        StudioViewModel s = StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run)
                .io(Runnable::run).engine(engine).configDir(dir.resolve("config"))
                .memoryProbe(MemoryProbe.fixed(64L << 30, -1)).gpuCount(() -> 0).build();
        engine.load(TinyEngine.DIR, Device.cpu());
        assertTrue(engine.isReady(), engine.messageProperty().get());
        return s;
    }

    /** Chooses {@code folder} in a fresh dialog and presses Load. */
    private static ModelDialogViewModel load(StudioViewModel s, Path folder) {
        ModelDialogViewModel vm = s.modelDialog();
        vm.folderProperty().set(folder);
        assertEquals("", vm.problemProperty().get(), "the dialog lets it be loaded");
        vm.load();
        return vm;
    }

    /** The tiny model is still the one loaded, shown and used. */
    private static void assertTinyStaysUsable(StudioViewModel s) {
        EngineService e = s.engine();
        assertEquals(EngineService.State.READY, e.stateProperty().get());
        assertSame(TinyEngine.get(), e.engine());
        assertEquals("Model: tiny  |  Device: CPU", s.status().modelBinding().get());
        assertEquals(TinyEngine.DIR, e.modelDirProperty().get());
        assertEquals("tiny", e.palette().name(), "the sketch classes stay the loaded model's");
        assertTrue(s.storyboard().canGenerateBinding().get());
    }

    private static Notification lastError(StudioViewModel s) {
        Notification n = s.notifier().last();
        assertNotNull(n);
        assertEquals(Notification.Level.ERROR, n.level());
        assertEquals("The model did not load", n.title());
        return n;
    }

    @Test
    void aBadFolderIsRefusedAndTheLoadedModelStaysUsable() throws Exception {
        StudioViewModel s = studio();
        TinyEngine.fast(s.storyboard().settings());
        s.storyboard().addText("A red circle.");

        // no weights: config and tokenizer only
        Path noWeights = Files.createDirectories(dir.resolve("no-weights"));
        Files.copy(TinyEngine.DIR.resolve("config.json"), noWeights.resolve("config.json"));
        Files.copy(TinyEngine.DIR.resolve("tokenizer.json"), noWeights.resolve("tokenizer.json"));
        load(s, noWeights);
        assertTinyStaysUsable(s);
        EngineService.LoadFailure f = s.engine().failureProperty().get();
        assertEquals(noWeights, f.folder());
        assertEquals("tiny", f.keptModel());
        String m = lastError(s).message();
        assertTrue(m.startsWith(noWeights + " was not loaded: "), m);
        assertTrue(m.contains("safetensors") || m.contains("weights"), m);
        assertTrue(m.endsWith("tiny stays loaded on CPU; your story is unchanged."), m);

        // wrong shapes: weft-small's config over the tiny model's weights
        Path wrong = Files.createDirectories(dir.resolve("wrong-shapes"));
        Files.copy(SmallEngine.DIR.resolve("config.json"), wrong.resolve("config.json"));
        Files.copy(SmallEngine.DIR.resolve("tokenizer.json"), wrong.resolve("tokenizer.json"));
        Files.copy(TinyEngine.DIR.resolve("model.safetensors"), wrong.resolve("model.safetensors"));
        load(s, wrong);
        assertTinyStaysUsable(s);
        m = lastError(s).message();
        assertTrue(m.contains("shape"), m);

        // the memory plan does not fit what is free
        free.set(MemoryProbe.fixed(1L << 20, -1));
        load(s, SmallEngine.DIR);
        assertTinyStaysUsable(s);
        m = lastError(s).message();
        assertTrue(m.contains("(weft-small, fp32) needs ~") && m.contains("of host memory, 1.0 MiB available"), m);
        assertEquals(3, s.notifier().recent().stream().filter(n -> n.level() == Notification.Level.ERROR).count(),
                "one dialog per refusal");

        // the tiny model still writes and paints, and the story is as it was
        assertEquals("A red circle.", s.storyboard().cells().get(0).getText());
        GenerationJob job = s.storyboard().continueStory();
        assertEquals(JobStatus.SUCCEEDED, job.getStatus(), () -> String.valueOf(job.getError()));
        assertTrue(s.storyboard().cells().size() > 1);
    }

    @Test
    void aGoodFolderReplacesTheModelAndTheSettingsFollowItUnlessChanged() {
        StudioViewModel s = studio();
        GenerationSettings g = s.storyboard().settings();
        assertEquals(SchedulerKind.DDPM, g.schedulerProperty().get(), "tiny has no generation.json");
        g.guidanceProperty().set(5); // the user's
        s.storyboard().addText("A red circle.");
        ModelDialogViewModel vm = s.modelDialog();
        assertEquals(TinyEngine.DIR, vm.folderProperty().get(), "the dialog starts at the loaded model's folder");
        assertEquals(ModelDialogViewModel.Target.CPU, vm.deviceProperty().get());
        vm.folderProperty().set(SmallEngine.DIR);
        assertTrue(vm.estimateProperty().get().startsWith("weft-small: "), vm.estimateProperty().get());
        vm.load();

        EngineService e = s.engine();
        assertEquals(EngineService.State.READY, e.stateProperty().get(), e.messageProperty().get());
        assertSame(SmallEngine.get(), e.engine());
        assertEquals("Model: weft-small  |  Device: CPU", s.status().modelBinding().get());
        assertEquals(SmallEngine.DIR, e.modelDirProperty().get());
        assertEquals(18_830_640L, e.weightBytesProperty().get(), "weft-small's two shards");
        assertTrue(s.status().memoryProperty().get().startsWith("Weights 18 MB  |  Heap "),
                s.status().memoryProperty().get());
        assertFalse(e.palette().name().equals("tiny"), "the sketch classes are weft-small's");
        assertEquals(30, g.stepsProperty().get());
        assertEquals(SchedulerKind.DDIM, g.schedulerProperty().get());
        assertEquals(40, g.maxTokensProperty().get());
        assertEquals(5, g.guidanceProperty().get(), 1e-6, "the user's guidance is kept");
        assertEquals("A red circle.", s.storyboard().cells().get(0).getText());
        assertNull(e.failureProperty().get(), "no failure");
    }

    @Test
    void theReplacedModelIsClosedOnlyAfterTheJobRunningOnIt() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("weft.skipNativeTests"));
        ManualExecutor generation = new ManualExecutor();
        EngineService engine = new EngineService(Runnable::run, UiThread.direct(), Engine::load, true);
        StudioViewModel s = StudioViewModel.builder().ui(UiThread.direct()).generation(generation)
                .io(Runnable::run).engine(engine).configDir(dir.resolve("config")).build();
        try {
            engine.load(TinyEngine.DIR, Device.cpu());
            Engine first = engine.engine();
            TinyEngine.fast(s.storyboard().settings());
            s.storyboard().addText("A red circle.");
            GenerationJob running = s.storyboard().continueStory();
            assertEquals(JobStatus.RUNNING, running.getStatus());
            assertEquals(1, generation.pending(), "its work is on the generation thread");

            s.modelDialog().load(); // the same folder again: a second engine
            assertEquals(EngineService.State.READY, engine.stateProperty().get(), engine.messageProperty().get());
            assertFalse(first == engine.engine(), "a new engine");
            assertEquals(2, generation.pending(), "the old engine's close waits behind the running job");
            generation.runAll();
            assertEquals(JobStatus.SUCCEEDED, running.getStatus(), () -> String.valueOf(running.getError()));

            GenerationJob next = s.storyboard().continueStory();
            generation.runAll();
            assertEquals(JobStatus.SUCCEEDED, next.getStatus(), () -> String.valueOf(next.getError()));
        } finally {
            s.close();
        }
    }
}
