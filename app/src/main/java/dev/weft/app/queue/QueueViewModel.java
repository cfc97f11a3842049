package dev.weft.app.queue;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.BooleanProperty;
import javafx.collections.ObservableList;

/** The queue panel's ViewModel: the jobs, pause and resume, cancel, and a one-line summary. */
public final class QueueViewModel {
    private final JobQueue queue;
    private final StringBinding summary;

    public QueueViewModel(JobQueue queue) {
        this.queue = queue;
        summary = Bindings.createStringBinding(() -> {
            GenerationJob r = queue.runningProperty().get();
            int w = queue.waitingProperty().get();
            String waiting = w == 0 ? "" : " · " + w + " waiting";
            if (queue.pausedProperty().get()) {
                return "Queue paused" + (r != null ? " (finishing " + r.title() + ")" : "") + waiting;
            }
            if (!queue.readyProperty().get() && w > 0) {
                return "Waiting for the model" + waiting;
            }
            return r == null ? (w == 0 ? "Queue idle" : "Starting" + waiting) : "Running: " + r.title() + waiting;
        }, queue.runningProperty(), queue.waitingProperty(), queue.pausedProperty(), queue.readyProperty());
    }

    public ObservableList<GenerationJob> jobs() {
        return queue.jobs();
    }

    public BooleanProperty pausedProperty() {
        return queue.pausedProperty();
    }

    public void togglePaused() {
        queue.pausedProperty().set(!queue.pausedProperty().get());
    }

    public void cancel(GenerationJob job) {
        queue.cancel(job);
    }

    /** Cancels every waiting and running job. */
    public void cancelAll() {
        queue.cancelAll();
    }

    public void clearFinished() {
        queue.clearFinished();
    }

    public StringBinding summaryBinding() {
        return summary;
    }
}
