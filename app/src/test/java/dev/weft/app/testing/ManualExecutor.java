package dev.weft.app.testing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;

/** An executor that runs nothing until the test says so. */
public final class ManualExecutor implements Executor {
    private final Deque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable r) {
        tasks.add(r);
    }

    public synchronized int pending() {
        return tasks.size();
    }

    /** Runs the oldest task; false if there was none. */
    public boolean runNext() {
        Runnable r;
        synchronized (this) {
            r = tasks.poll();
        }
        if (r == null) {
            return false;
        }
        r.run();
        return true;
    }

    public void runAll() {
        while (runNext()) {
            // keep going: tasks may queue more
        }
    }
}
