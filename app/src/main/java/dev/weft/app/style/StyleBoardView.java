package dev.weft.app.style;

import dev.weft.app.common.FxImages;
import dev.weft.app.common.Styles;
import dev.weft.app.queue.JobStatus;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.image.ImageView;
import javafx.scene.input.DragEvent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The style board: reference picture (choose, drop, or take the selected story picture), the text, how many
 * variants, Paint; then the variants side by side, each with "Use in story".
 */
public final class StyleBoardView extends ScrollPane {
    private final StyleBoardViewModel vm;
    private final FlowPane grid = new FlowPane(12, 12);
    private final javafx.beans.property.ObjectProperty<Integer> countValue;

    private final Runnable afterPick;

    public StyleBoardView(StyleBoardViewModel vm, Supplier<List<Path>> choosePicture, Runnable afterPick) {
        this.afterPick = afterPick;
        this.vm = vm;
        setId("style-board");
        getStyleClass().add(Styles.STORYBOARD);
        setFitToWidth(true);

        ImageView ref = new ImageView();
        ref.setFitWidth(192);
        ref.setFitHeight(192);
        ref.setPreserveRatio(true);
        ref.imageProperty().bind(vm.referenceImageProperty());
        Label none = new Label("Drop a reference\npicture here");
        none.getStyleClass().add(Styles.MUTED);
        none.visibleProperty().bind(vm.referenceImageProperty().isNull());
        StackPane refBox = new StackPane(none, ref);
        refBox.getStyleClass().addAll(Styles.CELL_CARD, "style-reference");
        refBox.setPrefSize(208, 208);
        refBox.setMaxSize(208, 208);
        refBox.addEventHandler(DragEvent.DRAG_OVER, e -> {
            if (e.getDragboard().hasFiles() || e.getDragboard().hasImage()) {
                e.acceptTransferModes(TransferMode.COPY);
                e.consume();
            }
        });
        refBox.addEventHandler(DragEvent.DRAG_DROPPED, e -> {
            if (e.getDragboard().hasFiles()) {
                List<File> f = e.getDragboard().getFiles();
                vm.loadReference(f.get(0).toPath());
            } else if (e.getDragboard().hasImage()) {
                vm.setReference(FxImages.fromFx(e.getDragboard().getImage()));
            }
            e.setDropCompleted(true);
            e.consume();
        });

        Button choose = new Button("Choose reference…");
        choose.setOnAction(e -> choosePicture.get().stream().findFirst().ifPresent(vm::loadReference));
        Button fromStory = new Button("Use selected picture");
        fromStory.setId("reference-from-story");
        fromStory.setOnAction(e -> vm.referenceFromSelection());
        TextField text = new TextField();
        text.setId("style-text");
        text.setPromptText("What to paint in this style");
        text.textProperty().bindBidirectional(vm.textProperty());
        Spinner<Integer> count = new Spinner<>(1, 8, vm.countProperty().get());
        count.setPrefWidth(70);
        countValue = vm.countProperty().asObject();
        count.getValueFactory().valueProperty().bindBidirectional(countValue);
        Button paint = new Button("Paint variants ▶");
        paint.setId("paint-variants");
        paint.getStyleClass().add(Styles.ACCENT_BUTTON);
        paint.setOnAction(e -> vm.paint());
        HBox row = new HBox(8, new Label("Variants"), count, paint);
        row.setAlignment(Pos.CENTER_LEFT);
        VBox controls = new VBox(8, new Label("Style board: a reference picture and a text, painted side by side. "
                + "Pick one into the story."), new HBox(8, choose, fromStory), text, row);
        HBox.setHgrow(controls, Priority.ALWAYS);
        HBox top = new HBox(16, refBox, controls);

        grid.setId("variants");
        vm.variants().addListener((ListChangeListener<StyleBoardViewModel.Variant>) ch -> rebuild());
        VBox column = new VBox(16, top, grid);
        column.getStyleClass().add("storyboard-column");
        setContent(column);
    }

    private void rebuild() {
        grid.getChildren().clear();
        for (StyleBoardViewModel.Variant v : vm.variants()) {
            ImageView iv = new ImageView();
            iv.setFitWidth(192);
            iv.setFitHeight(192);
            iv.setPreserveRatio(true);
            iv.imageProperty().bind(v.shownProperty());
            ProgressBar bar = new ProgressBar();
            bar.setMaxWidth(Double.MAX_VALUE);
            bar.progressProperty().bind(v.progressProperty());
            var running = Bindings.createBooleanBinding(() -> !v.statusProperty().get().isFinished(),
                    v.statusProperty());
            bar.visibleProperty().bind(running);
            bar.managedProperty().bind(running);
            Label seed = new Label("seed " + v.seed());
            seed.getStyleClass().add(Styles.MUTED);
            Button use = new Button("Use in story");
            use.getStyleClass().add("use-variant");
            use.disableProperty().bind(Bindings.createBooleanBinding(
                    () -> v.statusProperty().get() != JobStatus.SUCCEEDED, v.statusProperty()));
            use.setOnAction(e -> {
                if (vm.pick(v) != null) {
                    afterPick.run();
                }
            });
            VBox card = new VBox(6, iv, bar, new HBox(8, seed, use));
            card.getStyleClass().addAll(Styles.CELL_CARD, "style-variant");
            card.setMinWidth(208);
            card.setMaxWidth(208);
            grid.getChildren().add(card);
        }
    }
}
