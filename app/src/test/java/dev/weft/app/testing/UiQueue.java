package dev.weft.app.testing;

import dev.weft.app.common.UiThread;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** A UI thread for ViewModel tests: posts are queued and run on the test thread when it drains them. */
public final class UiQueue implements UiThread {
    private final LinkedBlockingQueue<Runnable> posted = new LinkedBlockingQueue<>();

    @Override
    public void post(Runnable r) {
        posted.add(r);
    }

    /** Runs everything posted so far (and what that posts). */
    public void drain() {
        Runnable r;
        while ((r = posted.poll()) != null) {
            r.run();
        }
    }

    /** Runs posts as they arrive until the condition holds; fails after the timeout. */
    public void runUntil(BooleanSupplier done, long timeoutMillis) {
        long end = System.nanoTime() + timeoutMillis * 1_000_000L;
        drain();
        while (!done.getAsBoolean()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                fail("timed out after " + timeoutMillis + " ms");
            }
            try {
                Runnable r = posted.poll(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS);
                if (r != null) {
                    r.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
