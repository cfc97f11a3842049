package dev.weft.app.testing;

import ai.djl.Device;
import dev.weft.engine.Engine;
import dev.weft.engine.pipeline.SamplingOptions;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The bundled tiny model, loaded once per test JVM and shared (loading takes about a second). */
public final class TinyEngine {
    public static final Path DIR = Path.of("../assets/tiny");
    private static Engine engine;

    private TinyEngine() { }

    /** The shared engine; skips the test when native tests are off or the model is missing. */
    public static synchronized Engine get() {
        assumeFalse(Boolean.getBoolean("weft.skipNativeTests"), "native tests skipped (-DskipNativeTests)");
        assumeTrue(Files.isDirectory(DIR), "no bundled model at " + DIR);
        if (engine == null) {
            engine = Engine.load(DIR, Device.cpu());
        }
        return engine;
    }

    /**
     * A studio on the shared engine with everything synchronous on the test thread (UI, generation, file I/O) and no
     * preview throttling, its settings in {@code configDir}; callers add what they need and build.
     */
    public static dev.weft.app.StudioViewModel.Builder studio(Path configDir) {
        dev.weft.app.common.UiThread direct = dev.weft.app.common.UiThread.direct();
        return dev.weft.app.StudioViewModel.builder().ui(direct).generation(Runnable::run).io(Runnable::run)
                .engine(dev.weft.app.service.EngineService.of(get(), direct)).configDir(configDir)
                .previewIntervalMillis(0);
    }

    /** Few steps, no guidance, a few tokens: a whole continuation in well under a second on an idle machine. */
    public static void fast(dev.weft.app.storyboard.GenerationSettings s) {
        s.randomSeedProperty().set(false);
        s.seedProperty().set(7);
        s.stepsProperty().set(3);
        s.guidanceProperty().set(1);
        s.maxTokensProperty().set(6);
        s.imagesPerContinueProperty().set(1);
    }

    public static SamplingOptions fastOptions() {
        return SamplingOptions.defaults().withSteps(3).withGuidance(1).withText(1f, 0.9f, 1.3f, 0, 6);
    }
}
