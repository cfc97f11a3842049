package dev.weft.app.model;

import dev.weft.app.common.Dialogs;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.stage.Window;

/**
 * The "Model…" dialog over a {@link ModelDialogViewModel}: folder (typed or chosen), device, the memory estimate and
 * any warning; Load is enabled when the folder holds a readable config and the device exists.
 */
public final class ModelDialogView {
    public static final ButtonType LOAD = new ButtonType("Load", ButtonBar.ButtonData.OK_DONE);

    private final ModelDialogViewModel vm;
    private final Dialogs dialogs;
    private final Dialog<ButtonType> dialog = new Dialog<>();

    public ModelDialogView(ModelDialogViewModel vm, Dialogs dialogs) {
        this.vm = vm;
        this.dialogs = dialogs;
        build();
    }

    private void build() {
        dialog.setTitle("Model");
        dialog.setHeaderText("Load a model folder");
        TextField path = new TextField(vm.folderProperty().get() == null ? "" : vm.folderProperty().get().toString());
        path.setId("model-folder");
        path.setPrefColumnCount(36);
        path.setOnAction(e -> vm.folderProperty().set(path.getText().isBlank() ? null
                : java.nio.file.Path.of(path.getText().strip())));
        path.focusedProperty().addListener((o, a, focused) -> {
            if (!focused) {
                path.getOnAction().handle(null);
            }
        });
        vm.folderProperty().addListener((o, a, b) -> {
            String s = b == null ? "" : b.toString();
            if (!s.equals(path.getText())) {
                path.setText(s);
            }
        });
        Button choose = new Button("Choose…");
        choose.setId("model-choose");
        choose.setOnAction(e -> dialogs.chooseFolder("Model folder").ifPresent(vm.folderProperty()::set));
        ComboBox<ModelDialogViewModel.Target> device = new ComboBox<>();
        device.setId("model-device");
        device.getItems().addAll(ModelDialogViewModel.Target.values());
        device.valueProperty().bindBidirectional(vm.deviceProperty());
        Label gpuNote = new Label();
        gpuNote.textProperty().bind(Bindings.when(vm.gpuAvailableProperty()).then("")
                .otherwise("no CUDA GPU visible to DJL"));
        Label estimate = new Label();
        estimate.setId("model-estimate");
        estimate.setWrapText(true);
        estimate.textProperty().bind(vm.estimateProperty());
        Label warning = new Label();
        warning.setId("model-warning");
        warning.setWrapText(true);
        warning.getStyleClass().add("warning");
        warning.textProperty().bind(Bindings.createStringBinding(() -> !vm.problemProperty().get().isEmpty()
                ? vm.problemProperty().get() : vm.warningProperty().get(), vm.problemProperty(), vm.warningProperty()));
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        grid.setPadding(new Insets(12));
        grid.addRow(0, new Label("Folder"), path, choose);
        grid.addRow(1, new Label("Device"), device, gpuNote);
        grid.add(estimate, 0, 2, 3, 1);
        grid.add(warning, 0, 3, 3, 1);
        GridPane.setHgrow(path, Priority.ALWAYS);
        estimate.setMaxWidth(520);
        warning.setMaxWidth(520);
        dialog.getDialogPane().setContent(grid);
        dialog.getDialogPane().getButtonTypes().addAll(LOAD, ButtonType.CANCEL);
        dialog.getDialogPane().lookupButton(LOAD).disableProperty().bind(vm.canLoadBinding().not());
    }

    /** The dialog (UI tests look inside). */
    public Dialog<ButtonType> dialog() {
        return dialog;
    }

    /** Shows the dialog; Load starts loading in the background. */
    public void showAndLoad(Window owner) {
        if (owner != null && dialog.getOwner() == null) {
            dialog.initOwner(owner);
        }
        dialog.showAndWait().filter(LOAD::equals).ifPresent(b -> vm.load());
    }
}
