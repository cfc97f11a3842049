package dev.weft.app.testing;

import org.testfx.api.FxToolkit;

import java.util.concurrent.TimeoutException;

/** Starts the (headless) JavaFX toolkit once, for ViewModel tests that make JavaFX images. */
public final class Fx {
    private Fx() { }

    public static void start() {
        try {
            FxToolkit.registerPrimaryStage();
        } catch (TimeoutException e) {
            throw new IllegalStateException("JavaFX did not start", e);
        }
    }
}
