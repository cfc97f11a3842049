package dev.weft.app.common;

import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** {@link Dialogs} as JavaFX alerts and file choosers, owned by the studio window. */
public final class FxDialogs implements Dialogs {
    private final Supplier<Window> owner;
    private File lastDir;

    public FxDialogs(Supplier<Window> owner) {
        this.owner = owner;
    }

    @Override
    public void show(Notification n) {
        Alert.AlertType type = switch (n.level()) {
            case INFO -> Alert.AlertType.INFORMATION;
            case WARNING -> Alert.AlertType.WARNING;
            case ERROR -> Alert.AlertType.ERROR;
        };
        Alert a = new Alert(type);
        a.initOwner(owner.get());
        a.setTitle(n.title());
        a.setHeaderText(n.title());
        Label body = new Label(n.message());
        body.setWrapText(true);
        body.setMaxWidth(480);
        a.getDialogPane().setContent(body);
        a.showAndWait();
    }

    @Override
    public SaveChoice askSaveChanges(String documentName) {
        ButtonType save = new ButtonType("Save", ButtonBar.ButtonData.YES);
        ButtonType discard = new ButtonType("Don't Save", ButtonBar.ButtonData.NO);
        ButtonType cancel = new ButtonType("Cancel", ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Your changes will be lost if you don't save them.",
                save, discard, cancel);
        a.initOwner(owner.get());
        a.setTitle("Unsaved changes");
        a.setHeaderText("Save changes to " + documentName + "?");
        Optional<ButtonType> r = a.showAndWait();
        if (r.isEmpty() || r.get() == cancel) {
            return SaveChoice.CANCEL;
        }
        return r.get() == save ? SaveChoice.SAVE : SaveChoice.DISCARD;
    }

    @Override
    public boolean confirm(String title, String message, String yes, String no) {
        ButtonType y = new ButtonType(yes, ButtonBar.ButtonData.YES);
        ButtonType n = new ButtonType(no, ButtonBar.ButtonData.NO);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, message, y, n);
        a.initOwner(owner.get());
        a.setTitle(title);
        a.setHeaderText(title);
        return a.showAndWait().orElse(n) == y;
    }

    private FileChooser chooser(String title) {
        FileChooser fc = new FileChooser();
        fc.setTitle(title);
        if (lastDir != null && lastDir.isDirectory()) {
            fc.setInitialDirectory(lastDir);
        }
        return fc;
    }

    private Optional<Path> remember(File f) {
        if (f == null) {
            return Optional.empty();
        }
        lastDir = f.getParentFile();
        return Optional.of(f.toPath());
    }

    @Override
    public Optional<Path> chooseProjectToOpen() {
        FileChooser fc = chooser("Open story");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Weft stories", "*.weft"));
        return remember(fc.showOpenDialog(owner.get()));
    }

    @Override
    public Optional<Path> chooseProjectToSave(String suggestedName) {
        FileChooser fc = chooser("Save story");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Weft stories", "*.weft"));
        fc.setInitialFileName(suggestedName);
        return remember(fc.showSaveDialog(owner.get()));
    }

    @Override
    public List<Path> choosePictures() {
        FileChooser fc = chooser("Add pictures");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Pictures", "*.png", "*.jpg", "*.jpeg",
                "*.webp", "*.tif", "*.tiff", "*.bmp", "*.gif"));
        List<File> files = fc.showOpenMultipleDialog(owner.get());
        if (files == null || files.isEmpty()) {
            return List.of();
        }
        lastDir = files.get(0).getParentFile();
        return files.stream().map(File::toPath).toList();
    }

    @Override
    public Optional<Path> chooseExport(String title, String suggestedName, String extension) {
        FileChooser fc = chooser(title);
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter(extension.toUpperCase(), "*." + extension));
        fc.setInitialFileName(suggestedName);
        return remember(fc.showSaveDialog(owner.get()));
    }

    @Override
    public Optional<Path> chooseFolder(String title) {
        javafx.stage.DirectoryChooser dc = new javafx.stage.DirectoryChooser();
        dc.setTitle(title);
        if (lastDir != null && lastDir.isDirectory()) {
            dc.setInitialDirectory(lastDir);
        }
        File f = dc.showDialog(owner.get());
        if (f != null) {
            lastDir = f;
        }
        return Optional.ofNullable(f).map(File::toPath);
    }
}
