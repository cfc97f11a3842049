package dev.weft.app.queue;

import dev.weft.app.common.FxImages;
import dev.weft.app.common.UiThread;
import dev.weft.engine.memory.OutOfMemory;
import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.GenerationListener;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.image.Image;

import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The generation queue: one job at a time on the generation executor (the engine runs one generation at a time;
 * the studio uses a single-thread executor, tests may pass a direct or a controlled one). Jobs start in order while
 * the queue is {@linkplain #readyProperty() ready} (the model is loaded) and not {@linkplain #pausedProperty()
 * paused}; pausing lets the running job finish and holds the rest. A failing job shows its error and the queue goes
 * on. All methods are called on the UI thread.
 */
public final class JobQueue {
    /** Finished jobs kept for display beyond this many are dropped, oldest first. */
    static final int KEEP_FINISHED = 30;

    private final Executor worker;
    private final UiThread ui;
    private final AtomicLong ids = new AtomicLong();
    private final ObservableList<GenerationJob> jobs = FXCollections.observableArrayList();
    private final Deque<GenerationJob> pending = new ArrayDeque<>();
    private final BooleanProperty paused = new SimpleBooleanProperty(this, "paused");
    private final BooleanProperty ready = new SimpleBooleanProperty(this, "ready", true);
    private final ReadOnlyObjectWrapper<GenerationJob> running = new ReadOnlyObjectWrapper<>(this, "running");
    private final ReadOnlyIntegerWrapper waiting = new ReadOnlyIntegerWrapper(this, "waiting");
    private volatile long previewIntervalMillis = 200;

    public JobQueue(Executor worker, UiThread ui) {
        this.worker = worker;
        this.ui = ui;
        paused.addListener((o, a, b) -> dispatch());
        ready.addListener((o, a, b) -> dispatch());
    }

    /** Shortest time between two decoded step previews (a preview costs a VAE decode); 0 decodes every step. */
    public void setPreviewIntervalMillis(long ms) {
        this.previewIntervalMillis = ms;
    }

    /** Adds a job at the end of the queue; it starts when its turn comes. */
    public <R> GenerationJob submit(String title, GenerationJob.Spec<R> spec) {
        return submit(title, spec, false);
    }

    /**
     * As {@link #submit(String, GenerationJob.Spec)}; a {@code quiet} job (a live preview) is shown while it waits
     * and runs, and leaves the list when it ends unless it failed.
     */
    public <R> GenerationJob submit(String title, GenerationJob.Spec<R> spec, boolean quiet) {
        GenerationJob job = new GenerationJob(ids.incrementAndGet(), title, spec, quiet);
        jobs.add(0, job);
        pending.add(job);
        waiting.set(pending.size());
        trim();
        dispatch();
        return job;
    }

    /** Cancels a queued job at once, a running one at its next token or step. */
    public void cancel(GenerationJob job) {
        if (job.getStatus() == JobStatus.QUEUED) {
            pending.remove(job);
            waiting.set(pending.size());
            job.token().cancel();
            finish(job, JobStatus.CANCELLED, null);
        } else if (job.getStatus() == JobStatus.RUNNING) {
            job.token().cancel();
            job.setMessage("cancelling…");
        }
    }

    public void cancelAll() {
        for (GenerationJob j : jobs.toArray(new GenerationJob[0])) {
            cancel(j);
        }
    }

    /** Removes finished jobs from the list. */
    public void clearFinished() {
        jobs.removeIf(j -> j.getStatus().isFinished());
    }

    public ObservableList<GenerationJob> jobs() {
        return jobs;
    }

    public BooleanProperty pausedProperty() {
        return paused;
    }

    /** The queue starts jobs only while this is true (bound to "the model is loaded"). */
    public BooleanProperty readyProperty() {
        return ready;
    }

    public ReadOnlyObjectProperty<GenerationJob> runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty waitingProperty() {
        return waiting.getReadOnlyProperty();
    }

    private void trim() {
        int finished = 0;
        for (int i = 0; i < jobs.size(); i++) {
            if (jobs.get(i).getStatus().isFinished() && ++finished > KEEP_FINISHED) {
                jobs.remove(i--);
            }
        }
    }

    private void dispatch() {
        if (running.get() != null || paused.get() || !ready.get() || pending.isEmpty()) {
            return;
        }
        GenerationJob job = pending.poll();
        waiting.set(pending.size());
        start(job, job.spec());
    }

    private <R> void start(GenerationJob job, GenerationJob.Spec<R> spec) {
        running.set(job);
        job.setStatus(JobStatus.RUNNING);
        job.setMessage("starting");
        GenerationJob.Work<R> work;
        try {
            work = spec.start();
        } catch (Throwable t) {
            finish(job, JobStatus.FAILED, t);
            return;
        }
        GenerationListener listener = new Listener(job, spec);
        CancellationToken token = job.token();
        try {
            worker.execute(() -> {
                R result;
                try {
                    token.check();
                    result = work.run(listener, token);
                } catch (CancellationToken.CancelledException e) {
                    ui.post(() -> finish(job, JobStatus.CANCELLED, null));
                    return;
                } catch (Throwable t) {
                    ui.post(() -> finish(job, JobStatus.FAILED, t));
                    return;
                }
                ui.post(() -> succeed(job, spec, result));
            });
        } catch (RejectedExecutionException e) {
            finish(job, JobStatus.FAILED, e);
        }
    }

    private <R> void succeed(GenerationJob job, GenerationJob.Spec<R> spec, R result) {
        try {
            spec.succeeded(result);
        } catch (Throwable t) {
            finish(job, JobStatus.FAILED, t);
            return;
        }
        job.setProgress(1);
        finish(job, JobStatus.SUCCEEDED, null);
    }

    private void finish(GenerationJob job, JobStatus status, Throwable error) {
        if (job.getStatus().isFinished()) {
            return;
        }
        job.setStatus(status);
        if (error != null) {
            job.setError(describe(error));
            job.setMessage("failed");
        } else {
            job.setMessage(status == JobStatus.CANCELLED ? "cancelled" : "done");
        }
        try {
            job.spec().finished(status);
        } catch (Throwable t) {
            if (job.getError() == null) {
                job.setError(describe(t));
            }
        }
        if (running.get() == job) {
            running.set(null);
        }
        if (job.isQuiet() && status != JobStatus.FAILED) {
            jobs.remove(job);
        }
        trim();
        dispatch();
    }

    /** One line for the user: the exception's message, or its kind when it has none. */
    static String describe(Throwable t) {
        Optional<String> oom = OutOfMemory.explain(t);
        if (oom.isPresent()) {
            return oom.get();
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /** Engine callbacks (generation thread) turned into UI-thread updates of the job and calls of its spec. */
    private final class Listener implements GenerationListener {
        private final GenerationJob job;
        private final GenerationJob.Spec<?> spec;
        private long lastPreview;

        Listener(GenerationJob job, GenerationJob.Spec<?> spec) {
            this.job = job;
            this.spec = spec;
        }

        @Override
        public void onPhase(String phase) {
            ui.post(() -> {
                if (!job.isCancelRequested()) {
                    job.setMessage(phase);
                }
            });
        }

        @Override
        public void onTextStart() {
            ui.post(() -> {
                if (!job.isCancelRequested()) {
                    job.setMessage("writing");
                    job.setProgress(-1);
                    spec.textStart();
                }
            });
        }

        @Override
        public void onTextEnd(String text) {
            ui.post(() -> {
                if (!job.isCancelRequested()) {
                    spec.textEnd(text);
                }
            });
        }

        @Override
        public void onImageStart(int index) {
            lastPreview = 0;
            ui.post(() -> {
                if (!job.isCancelRequested()) {
                    job.setMessage("painting");
                    job.setProgress(0);
                    spec.imageStart(index);
                }
            });
        }

        @Override
        public void onToken(int tokenId, String text) {
            ui.post(() -> {
                // after a cancel request, results stop reaching the document (the project may have been replaced)
                if (job.isCancelRequested()) {
                    return;
                }
                int n = job.addToken();
                job.setMessage("writing · " + n + (n == 1 ? " token" : " tokens"));
                job.setProgress(-1);
                spec.token(text);
            });
        }

        @Override
        public void onImageStep(int step, int total, Supplier<BufferedImage> preview) {
            long now = System.nanoTime();
            Image fx = null;
            // the supplier is valid only during this callback: decode here, on the generation thread
            if (step < total && (lastPreview == 0 || now - lastPreview >= previewIntervalMillis * 1_000_000L)) {
                fx = FxImages.toFx(preview.get());
                lastPreview = now;
            }
            Image shown = fx;
            ui.post(() -> {
                if (job.isCancelRequested()) {
                    return;
                }
                job.setMessage("painting · step " + step + " of " + total);
                job.setProgress(step / (double) total);
                if (shown != null) {
                    job.setPreview(shown);
                }
                spec.preview(step, total, shown);
            });
        }

        @Override
        public void onImage(int index, BufferedImage image) {
            ui.post(() -> {
                if (!job.isCancelRequested()) {
                    spec.image(index, image);
                }
            });
        }
    }
}
