package dev.weft.app.status;

import dev.weft.app.common.Styles;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.property.StringProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.util.Duration;

/** The status bar: model and device (a spinner while loading), the queue summary, a message, memory. */
public final class StatusView extends HBox {
    private final Label message = new Label();
    private final Timeline memoryTimer;

    public StatusView(StatusViewModel vm, javafx.beans.value.ObservableStringValue queueSummary) {
        super(10);
        getStyleClass().add(Styles.STATUS_BAR);
        setPadding(new Insets(4, 8, 4, 8));
        setAlignment(Pos.CENTER_LEFT);
        ProgressIndicator spinner = new ProgressIndicator();
        spinner.setPrefSize(14, 14);
        spinner.visibleProperty().bind(vm.loadingBinding());
        spinner.managedProperty().bind(vm.loadingBinding());
        Label model = new Label();
        model.setId("status-model");
        model.textProperty().bind(vm.modelBinding());
        vm.failedBinding().addListener((o, a, b) -> model.pseudoClassStateChanged(Styles.FAILED, b));
        Label queue = new Label();
        queue.setId("status-queue");
        queue.textProperty().bind(queueSummary);
        message.setId("status-message");
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        Label memory = new Label();
        memory.setId("status-memory");
        memory.textProperty().bind(vm.memoryProperty());
        getChildren().addAll(spinner, model, new Label("·"), queue, message, gap, memory);
        memoryTimer = new Timeline(new KeyFrame(Duration.seconds(2), e -> vm.refreshMemory()));
        memoryTimer.setCycleCount(Timeline.INDEFINITE);
        memoryTimer.play();
    }

    /** A short message (saved, recovered, …). */
    public StringProperty messageProperty() {
        return message.textProperty();
    }

    public void stop() {
        memoryTimer.stop();
    }
}
