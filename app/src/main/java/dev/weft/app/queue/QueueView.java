package dev.weft.app.queue;

import dev.weft.app.common.Styles;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ToggleButton;
import javafx.scene.image.ImageView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * The generation queue: each job with its progress bar, current message, step preview, a cancel button while it
 * is queued or running, and its error when it failed (kept until cleared). Pause holds the queue after the running
 * job. (ControlsFX's {@code TaskProgressView} drops finished tasks, so errors would vanish; hence a list.)
 */
public final class QueueView extends VBox {
    public QueueView(QueueViewModel vm) {
        super(6);
        setId("queue");
        getStyleClass().add(Styles.SIDE_PANEL);
        Label title = new Label("Queue");
        title.getStyleClass().add(Styles.PANEL_TITLE);
        ToggleButton pause = new ToggleButton();
        pause.setId("pause-queue");
        pause.selectedProperty().bindBidirectional(vm.pausedProperty());
        pause.textProperty().bind(Bindings.when(vm.pausedProperty()).then("Resume").otherwise("Pause"));
        Button clear = new Button("Clear finished");
        clear.setId("clear-finished");
        clear.setOnAction(e -> vm.clearFinished());
        Button cancelAll = new Button("Cancel all");
        cancelAll.setId("cancel-all");
        cancelAll.setTooltip(new javafx.scene.control.Tooltip("Cancel the running job and every waiting one"));
        cancelAll.setOnAction(e -> vm.cancelAll());
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox header = new HBox(6, title, gap, pause, cancelAll, clear);
        header.setAlignment(Pos.CENTER_LEFT);
        Label summary = new Label();
        summary.setId("queue-summary");
        summary.getStyleClass().add(Styles.MUTED);
        summary.textProperty().bind(vm.summaryBinding());
        ListView<GenerationJob> list = new ListView<>(vm.jobs());
        list.setId("jobs");
        list.setPlaceholder(new Label("No generations yet"));
        list.setCellFactory(l -> new JobCell(vm));
        VBox.setVgrow(list, Priority.ALWAYS);
        getChildren().addAll(header, summary, list);
    }

    /** One job. Binds to the job it shows and unbinds when reused. */
    static final class JobCell extends ListCell<GenerationJob> {
        private final Label title = new Label();
        private final Label state = new Label();
        private final Label message = new Label();
        private final Label error = new Label();
        private final ProgressBar bar = new ProgressBar();
        private final ImageView preview = new ImageView();
        private final Button cancel = new Button("Cancel");
        private final VBox box;
        private GenerationJob current;
        private final javafx.beans.value.ChangeListener<JobStatus> failedStyle = (o, a, b) ->
                this.box().pseudoClassStateChanged(Styles.FAILED, b == JobStatus.FAILED);

        JobCell(QueueViewModel vm) {
            title.getStyleClass().add(Styles.JOB_TITLE);
            state.getStyleClass().add(Styles.MUTED);
            message.getStyleClass().add(Styles.MUTED);
            error.getStyleClass().add(Styles.JOB_ERROR);
            error.setWrapText(true);
            error.setMaxWidth(260);
            bar.setMaxWidth(Double.MAX_VALUE);
            preview.setFitWidth(48);
            preview.setFitHeight(48);
            preview.setPreserveRatio(true);
            cancel.getStyleClass().add("cancel-job");
            cancel.setOnAction(e -> {
                if (getItem() != null) {
                    vm.cancel(getItem());
                }
            });
            // the cell is as wide as the list (no sideways scrolling): long titles end in "…"
            setPrefWidth(0);
            title.setMinWidth(0);
            title.setMaxWidth(Double.MAX_VALUE);
            HBox.setHgrow(title, Priority.ALWAYS);
            state.setMinWidth(Region.USE_PREF_SIZE);
            cancel.setMinWidth(Region.USE_PREF_SIZE);
            message.setMinWidth(0);
            HBox top = new HBox(6, title, state, cancel);
            top.setAlignment(Pos.CENTER_LEFT);
            VBox text = new VBox(2, message, bar, error);
            text.setMinWidth(0);
            HBox.setHgrow(text, Priority.ALWAYS);
            preview.managedProperty().bind(preview.imageProperty().isNotNull());
            preview.visibleProperty().bind(preview.imageProperty().isNotNull());
            HBox bottom = new HBox(6, preview, text);
            box = new VBox(4, top, bottom);
            box.setMinWidth(0);
            box.getStyleClass().add(Styles.JOB_CARD);
        }

        private VBox box() {
            return box;
        }

        @Override
        protected void updateItem(GenerationJob job, boolean empty) {
            super.updateItem(job, empty);
            if (current != null) {
                current.statusProperty().removeListener(failedStyle);
                current = null;
            }
            title.textProperty().unbind();
            state.textProperty().unbind();
            message.textProperty().unbind();
            message.managedProperty().unbind();
            error.textProperty().unbind();
            bar.progressProperty().unbind();
            bar.visibleProperty().unbind();
            bar.managedProperty().unbind();
            preview.imageProperty().unbind();
            cancel.visibleProperty().unbind();
            error.visibleProperty().unbind();
            error.managedProperty().unbind();
            if (empty || job == null) {
                setGraphic(null);
                setText(null);
                return;
            }
            setId("job-" + job.id());
            title.setText(job.title());
            title.setTooltip(new javafx.scene.control.Tooltip(job.title()));
            state.textProperty().bind(Bindings.createStringBinding(() -> job.getStatus().label(),
                    job.statusProperty()));
            // a finished job's message ("done", "cancelled") only repeats its state
            message.textProperty().bind(Bindings.createStringBinding(() -> job.getStatus().isFinished()
                    && job.getError() == null ? "" : job.messageProperty().get(), job.messageProperty(),
                    job.statusProperty(), job.errorProperty()));
            message.managedProperty().bind(message.textProperty().isNotEmpty());
            bar.progressProperty().bind(job.progressProperty());
            var active = Bindings.createBooleanBinding(() -> !job.getStatus().isFinished(), job.statusProperty());
            bar.visibleProperty().bind(active);
            bar.managedProperty().bind(active);
            cancel.visibleProperty().bind(active);
            preview.imageProperty().bind(job.previewProperty());
            error.textProperty().bind(job.errorProperty());
            error.visibleProperty().bind(job.errorProperty().isNotNull());
            error.managedProperty().bind(job.errorProperty().isNotNull());
            box.pseudoClassStateChanged(Styles.FAILED, job.getStatus() == JobStatus.FAILED);
            current = job;
            job.statusProperty().addListener(failedStyle);
            setGraphic(box);
        }
    }
}
