package dev.weft.app.storyboard;

import ai.djl.Device;
import dev.weft.app.StudioViewModel;
import dev.weft.app.common.UiThread;
import dev.weft.app.project.CellData;
import dev.weft.app.project.CellKind;
import dev.weft.app.project.Project;
import dev.weft.app.project.ProjectFile;
import dev.weft.app.service.EngineService;
import dev.weft.app.testing.SmallEngine;
import dev.weft.engine.Engine;
import dev.weft.engine.config.GenerationDefaults;
import dev.weft.engine.diffusion.schedulers.SchedulerKind;
import dev.weft.engine.pipeline.SamplingOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generation settings follow the loaded model's preferences (weft-small's generation.json: DDIM, 30 steps,
 * guidance 3.5, 40 tokens) whenever a project is created or opened without settings of its own, and a project's
 * own settings (or the user's) are kept when the model loads.
 */
class ModelSettingsTest {
    @TempDir
    Path dir;

    /** A studio whose model loads (synchronously) when {@link EngineService#load} is called. */
    private StudioViewModel studio(Engine model) {
        EngineService engine = new EngineService(Runnable::run, UiThread.direct(), (d, dev, p) -> model, false);
        return StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run).io(Runnable::run)
                .engine(engine).configDir(dir.resolve("config")).build();
    }

    private static void assertModelDefaults(GenerationDefaults d, GenerationSettings s) {
        assertEquals(d.steps(), s.stepsProperty().get(), "steps");
        assertEquals(d.guidance(), s.guidanceProperty().get(), 1e-6, "guidance");
        assertEquals(SchedulerKind.parse(d.scheduler()), s.schedulerProperty().get(), "sampler");
        assertEquals(d.maxNewTokens(), s.maxTokensProperty().get(), "tokens");
    }

    @Test
    void aNewProjectTakesTheLoadedModelsPreferences() {
        Engine small = SmallEngine.get();
        GenerationDefaults d = small.generationDefaults();
        assertEquals(new GenerationDefaults("", 1.0f, 0.9f, 1.0f, 0, 40, 30, 3.5f, "ddim"), d,
                "weft-small's generation.json");
        StudioViewModel s = studio(small);
        GenerationSettings g = s.storyboard().settings();
        assertModelDefaults(GenerationDefaults.MM_INTERLEAVED, g);

        s.engine().load(SmallEngine.DIR, Device.cpu());
        assertTrue(s.engine().isReady());
        assertModelDefaults(d, g);

        g.stepsProperty().set(12);
        g.guidanceProperty().set(5);
        g.schedulerProperty().set(SchedulerKind.DDPM);
        s.storyboard().addText("a red circle.");
        s.project().newProject();
        assertModelDefaults(d, g);
        assertEquals(SchedulerKind.DDIM, g.schedulerProperty().get());
        assertEquals(3.5, g.guidanceProperty().get(), 1e-6);

        // what a Continue asks the engine for
        SamplingOptions o = g.options(1);
        assertEquals(30, o.steps());
        assertEquals(3.5f, o.guidance(), 1e-6);
        assertEquals(SchedulerKind.DDIM, o.scheduler());
        assertEquals(1.0f, o.repetitionPenalty(), 1e-6, "text sampling is the model's too");
    }

    @Test
    void aProjectWithoutSettingsFollowsTheModelAndOneWithSettingsKeepsThem() throws Exception {
        Engine small = SmallEngine.get();
        GenerationDefaults d = small.generationDefaults();
        List<CellData> cells = List.of(new CellData("t1", CellKind.TEXT, "a red circle.", null, null, List.of()));
        Path own = dir.resolve("own.weft");
        ProjectFile.write(own, new Project(cells, new Project.Settings(9, false, 12, 6f, "DPM_SOLVER_PP_2M", 20, 2)));
        Path none = dir.resolve("none.weft");
        ProjectFile.write(none, new Project(cells, null));

        // opened before the model has loaded: the project's settings stay when it arrives
        StudioViewModel a = studio(small);
        assertTrue(a.project().open(own).join());
        a.engine().load(SmallEngine.DIR, Device.cpu());
        GenerationSettings g = a.storyboard().settings();
        assertEquals(12, g.stepsProperty().get());
        assertEquals(6, g.guidanceProperty().get(), 1e-6);
        assertEquals(SchedulerKind.DPM_SOLVER_PP_2M, g.schedulerProperty().get());
        assertEquals(20, g.maxTokensProperty().get());
        assertFalse(g.followsModel());

        // a file without settings, opened over it: the model's
        assertTrue(a.project().open(none).join());
        assertModelDefaults(d, g);
        assertTrue(g.followsModel());

        // a file without settings opened before the model loads takes the model's once it is there
        StudioViewModel b = studio(small);
        assertTrue(b.project().open(none).join());
        b.engine().load(SmallEngine.DIR, Device.cpu());
        assertModelDefaults(d, b.storyboard().settings());

        // the user's change before the model loads is kept
        StudioViewModel c = studio(small);
        c.storyboard().settings().stepsProperty().set(7);
        c.engine().load(SmallEngine.DIR, Device.cpu());
        assertEquals(7, c.storyboard().settings().stepsProperty().get());
    }
}
