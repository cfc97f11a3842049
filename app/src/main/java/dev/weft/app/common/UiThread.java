package dev.weft.app.common;

import javafx.application.Platform;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where ViewModel state changes happen. Background work (generation, file I/O) posts its results here. The studio
 * uses {@link #fx()}; ViewModel unit tests use {@link #direct()} (everything on the test thread) or a queue they
 * drain themselves.
 */
@FunctionalInterface
public interface UiThread {
    void post(Runnable r);

    /**
     * Runs {@code r} here after {@code millis} (debouncing); the returned handle cancels it, also when the timer has
     * already fired but {@code r} has not run yet.
     */
    default Runnable postLater(long millis, Runnable r) {
        AtomicBoolean cancelled = new AtomicBoolean();
        ScheduledFuture<?> f = Timer.INSTANCE.schedule(() -> post(() -> {
            if (!cancelled.get()) {
                r.run();
            }
        }), millis, TimeUnit.MILLISECONDS);
        return () -> {
            cancelled.set(true);
            f.cancel(false);
        };
    }

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

    /**
     * Runs {@code c} on the JavaFX application thread and waits for its result, at most {@code seconds} (for threads
     * other than that one: scripted runs and UI tests). Whatever {@code c} throws comes back in the
     * {@link java.util.concurrent.ExecutionException}.
     */
    static <T> T callOnFx(Callable<T> c, long seconds) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(seconds, TimeUnit.SECONDS);
    }

    /** Runs on the caller's thread (tests whose work runs on the same thread); delayed work runs at once. */
    static UiThread direct() {
        return new UiThread() {
            @Override
            public void post(Runnable r) {
                r.run();
            }

            @Override
            public Runnable postLater(long millis, Runnable r) {
                r.run();
                return () -> { };
            }
        };
    }

    /** The one timer thread behind {@link #postLater} (a daemon: it never keeps the studio alive). */
    final class Timer {
        static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-ui-timer");
            t.setDaemon(true);
            return t;
        });

        private Timer() { }
    }
}
