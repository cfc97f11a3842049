package dev.weft.app.common;

import javafx.application.Platform;

/**
 * Where ViewModel state changes happen. Background work (generation, file I/O) posts its results here. The studio
 * uses {@link #fx()}; ViewModel unit tests use {@link #direct()} (everything on the test thread) or a queue they
 * drain themselves.
 */
@FunctionalInterface
public interface UiThread {
    void post(Runnable r);

    /** The JavaFX application thread: runs at once when already on it, else {@link Platform#runLater}. */
    static UiThread fx() {
        return r -> {
            if (Platform.isFxApplicationThread()) {
                r.run();
            } else {
                Platform.runLater(r);
            }
        };
    }

    /** Runs on the caller's thread (tests whose work runs on the same thread). */
    static UiThread direct() {
        return Runnable::run;
    }
}
