package dev.weft.app.status;

import dev.weft.app.common.Styles;
import dev.weft.app.storyboard.ContextMeter;
import javafx.css.PseudoClass;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.property.StringProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.util.Duration;

/**
 * The status bar: model and device (a progress bar while loading), the queue summary, a message, how much of the
 * model's context the story takes (coloured when a Continue would not fit), memory.
 */
public final class StatusView extends HBox {
    static final PseudoClass TIGHT = PseudoClass.getPseudoClass("tight");

    private final Label message = new Label();
    private final Timeline memoryTimer;

    public StatusView(StatusViewModel vm, javafx.beans.value.ObservableStringValue queueSummary) {
        super(10);
        getStyleClass().add(Styles.STATUS_BAR);
        setPadding(new Insets(4, 8, 4, 8));
        setAlignment(Pos.CENTER_LEFT);
        ProgressBar loading = new ProgressBar();
        loading.setId("status-loading");
        loading.setPrefWidth(140);
        loading.progressProperty().bind(vm.loadProgressProperty());
        loading.visibleProperty().bind(vm.loadingBinding());
        loading.managedProperty().bind(vm.loadingBinding());
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
        Label context = new Label();
        context.setId("status-context");
        context.getStyleClass().add("context-meter");
        context.textProperty().bind(vm.contextBinding());
        Tooltip help = new Tooltip();
        help.textProperty().bind(vm.contextHelpBinding());
        help.setWrapText(true);
        help.setMaxWidth(360);
        context.setTooltip(help);
        vm.contextLevelBinding().addListener((o, a, b) -> {
            context.pseudoClassStateChanged(TIGHT, b == ContextMeter.Level.TIGHT);
            context.pseudoClassStateChanged(Styles.FAILED, b == ContextMeter.Level.OVER);
        });
        Label memory = new Label();
        memory.setId("status-memory");
        memory.textProperty().bind(vm.memoryProperty());
        getChildren().addAll(loading, model, new Label("·"), queue, message, gap, context, memory);
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
