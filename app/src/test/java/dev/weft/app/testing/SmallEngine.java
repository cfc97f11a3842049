package dev.weft.app.testing;

import ai.djl.Device;
import dev.weft.engine.Engine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The bundled trained model (assets/weft-small, 18 MiB), loaded once per test JVM and shared. */
public final class SmallEngine {
    public static final Path DIR = Path.of("../assets/weft-small");
    private static Engine engine;

    private SmallEngine() { }

    /** The shared engine; skips the test when native tests are off or the model is missing. */
    public static synchronized Engine get() {
        assumeFalse(Boolean.getBoolean("weft.skipNativeTests"), "native tests skipped (-DskipNativeTests)");
        assumeTrue(Files.isRegularFile(DIR.resolve("config.json")), "no bundled model at " + DIR);
        if (engine == null) {
            engine = Engine.load(DIR, Device.cpu());
        }
        return engine;
    }
}
