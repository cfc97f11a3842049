package dev.weft.app.queue;

import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.GenerationListener;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.image.Image;

import java.awt.image.BufferedImage;

/**
 * One generation in the queue: a plain object wrapping an engine request (its {@link Spec}) with observable
 * state for the queue's View. State changes happen on the UI thread only; the work runs on the queue's generation
 * thread with this job's {@link CancellationToken}.
 */
public final class GenerationJob {
    /** The engine call, run on the generation thread. */
    @FunctionalInterface
    public interface Work<R> {
        R run(GenerationListener listener, CancellationToken cancel) throws Exception;
    }

    /**
     * What a job does and how its results reach the document. Every method but {@link Work#run} is called on the
     * UI thread, in this order: {@link #start}, then the engine's events as they come ({@link #textStart},
     * {@link #token}, {@link #textEnd}, {@link #imageStart}, {@link #preview}, {@link #image}), then
     * {@link #succeeded} (only on success), then always {@link #finished}. After a cancel request no more events
     * arrive.
     */
    public interface Spec<R> {
        /** Captures the inputs (the document as it is now) and returns the work. Throwing fails the job. */
        Work<R> start();

        /** A passage of generated text starts; tokens follow. */
        default void textStart() { }

        /** A text token was sampled. */
        default void token(String text) { }

        /** The passage ended; {@code text} is its final form (spacing may differ from the streamed tokens). */
        default void textEnd(String text) { }

        /** Painting of a picture starts ({@code index} among the document's pictures); previews follow. */
        default void imageStart(int index) { }

        /** A denoising step finished; {@code preview} may be null when previews are throttled. */
        default void preview(int step, int total, Image preview) { }

        /** A picture is finished. */
        default void image(int index, BufferedImage image) { }

        default void succeeded(R result) { }

        /** The job ended (any status); undo placeholders here. */
        default void finished(JobStatus status) { }
    }

    private final long id;
    private final String title;
    private final Spec<?> spec;
    private final boolean quiet;
    private final CancellationToken token = new CancellationToken();
    private final ReadOnlyObjectWrapper<JobStatus> status = new ReadOnlyObjectWrapper<>(this, "status",
            JobStatus.QUEUED);
    /** In [0, 1], or -1 while unknown (writing text). */
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", 0);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "waiting");
    private final ReadOnlyObjectWrapper<Image> preview = new ReadOnlyObjectWrapper<>(this, "preview");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error");
    private int tokens;

    GenerationJob(long id, String title, Spec<?> spec, boolean quiet) {
        this.id = id;
        this.title = title;
        this.spec = spec;
        this.quiet = quiet;
    }

    /** A quiet job (a live preview) leaves the list when it ends, unless it failed. */
    public boolean isQuiet() {
        return quiet;
    }

    public long id() {
        return id;
    }

    public String title() {
        return title;
    }

    Spec<?> spec() {
        return spec;
    }

    CancellationToken token() {
        return token;
    }

    public boolean isCancelRequested() {
        return token.isCancelled();
    }

    public JobStatus getStatus() {
        return status.get();
    }

    public ReadOnlyObjectProperty<JobStatus> statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Image> previewProperty() {
        return preview.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public String getError() {
        return error.get();
    }

    void setStatus(JobStatus s) {
        status.set(s);
    }

    void setProgress(double p) {
        progress.set(p);
    }

    void setMessage(String m) {
        message.set(m);
    }

    void setPreview(Image i) {
        preview.set(i);
    }

    void setError(String e) {
        error.set(e);
    }

    int addToken() {
        return ++tokens;
    }

    @Override
    public String toString() {
        return "job " + id + " (" + title + ", " + status.get().label() + ")";
    }
}
