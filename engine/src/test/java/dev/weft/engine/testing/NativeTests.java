package dev.weft.engine.testing;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Guards for tests that need libtorch (skipped with -DskipNativeTests=true). */
public final class NativeTests {
    private NativeTests() { }

    public static void assumeNative() {
        assumeFalse(Boolean.getBoolean("weft.skipNativeTests"), "native tests skipped (-DskipNativeTests)");
    }
}
