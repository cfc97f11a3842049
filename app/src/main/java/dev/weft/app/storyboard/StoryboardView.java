package dev.weft.app.storyboard;

import dev.weft.app.common.ImageFiles;
import dev.weft.app.common.Styles;
import javafx.collections.ListChangeListener;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.input.DragEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The storyboard canvas: the cells top to bottom in a scroll pane. Cells move by dragging their handle (one undo
 * step per drag); picture files dropped from the desktop are inserted where they land. Zoom scales text and
 * pictures.
 */
public final class StoryboardView extends ScrollPane {
    private final StoryboardViewModel vm;
    private final VBox column = new VBox(10);
    private final Map<CellViewModel, CellView> views = new HashMap<>();
    private final Label empty = new Label("Write the start of a story, or drop pictures here.\n"
            + "Ctrl+T adds text, Ctrl+I a picture, Ctrl+K a sketch; Ctrl+Enter continues the story.");
    private final HBox adders;
    private CellView dropTarget;
    private boolean dropAfter;

    public StoryboardView(StoryboardViewModel vm) {
        this.vm = vm;
        setId("storyboard");
        getStyleClass().add(Styles.STORYBOARD);
        setFitToWidth(true);
        column.getStyleClass().add("storyboard-column");
        empty.getStyleClass().add(Styles.EMPTY_HINT);
        empty.setWrapText(true);
        Button addText = new Button("+ Text");
        addText.setId("add-text");
        addText.setOnAction(e -> {
            CellViewModel c = vm.addText("");
            focus(c);
        });
        Button addSketch = new Button("+ Sketch");
        addSketch.setId("add-sketch");
        addSketch.setTooltip(new javafx.scene.control.Tooltip("A segmentation sketch to paint a picture from (Ctrl+K)"));
        addSketch.setOnAction(e -> vm.addSketch());
        adders = new HBox(8, addText, addSketch);
        adders.getStyleClass().add("adders");
        setContent(column);
        rebuild();
        vm.cells().addListener((ListChangeListener<CellViewModel>) ch -> rebuild());
        vm.selectedProperty().addListener((o, a, b) -> {
            if (a != null && views.containsKey(a)) {
                views.get(a).pseudoClassStateChanged(Styles.SELECTED, false);
            }
            if (b != null && views.containsKey(b)) {
                views.get(b).pseudoClassStateChanged(Styles.SELECTED, true);
                ensureVisible(views.get(b));
            }
        });
        vm.zoomProperty().addListener((o, a, b) -> applyZoom());
        applyZoom();
        installFileDrop();
    }

    private CellActions actions;

    /** What the cells' context menus do beyond the storyboard (save, copy, use as reference). */
    public void setCellActions(CellActions a) {
        this.actions = a;
    }

    CellActions cellActions() {
        return actions;
    }

    /** The "+ Picture…" button: the main view opens the file chooser. */
    public void setOnAddPicture(Runnable r) {
        Button b = new Button("+ Picture…");
        b.setId("add-picture");
        b.setOnAction(e -> r.run());
        adders.getChildren().add(b);
    }

    private void applyZoom() {
        // the one computed style: font size follows zoom (pictures bind their width to zoom)
        column.setStyle(String.format(java.util.Locale.ROOT, "-fx-font-size: %.2fem;", vm.zoomProperty().get()));
    }

    private void rebuild() {
        List<Node> nodes = new ArrayList<>();
        Map<CellViewModel, CellView> keep = new HashMap<>();
        CellView follow = null;
        for (CellViewModel c : vm.cells()) {
            CellView v = views.get(c);
            if (v == null) {
                v = new CellView(c, vm, this);
                if (c.isPlaceholder() || c.isGenerating()) {
                    follow = v; // a cell a generation is writing: keep it in view
                }
            }
            v.pseudoClassStateChanged(Styles.SELECTED, c == vm.getSelected());
            keep.put(c, v);
            nodes.add(v);
        }
        views.clear();
        views.putAll(keep);
        if (nodes.isEmpty()) {
            nodes.add(empty);
        }
        nodes.add(adders);
        column.getChildren().setAll(nodes);
        if (follow != null) {
            CellView f = follow;
            javafx.application.Platform.runLater(() -> {
                applyCss();
                layout();
                ensureVisible(f);
            });
        }
    }

    /** Scrolls a cell into view and puts the caret in it (text cells). */
    public void focus(CellViewModel c) {
        CellView v = views.get(c);
        if (v != null) {
            applyCss();
            layout();
            ensureVisible(v);
            v.focusEditor();
        }
    }

    private void ensureVisible(Node n) {
        double contentHeight = column.getBoundsInLocal().getHeight();
        double viewport = getViewportBounds().getHeight();
        if (contentHeight <= viewport || viewport <= 0) {
            return;
        }
        Bounds b = n.getBoundsInParent();
        double top = getVvalue() * (contentHeight - viewport);
        if (b.getMinY() < top) {
            setVvalue(b.getMinY() / (contentHeight - viewport));
        } else if (b.getMaxY() > top + viewport) {
            setVvalue((b.getMaxY() - viewport) / (contentHeight - viewport));
        }
    }

    /** The View of a cell (tests). */
    public Node viewOf(CellViewModel c) {
        return views.get(c);
    }

    // ------------------------------------------------------------------ moving cells by drag

    /** Where a drop at this scene y lands: the index to insert before (size = at the end). */
    int indexAt(double sceneY) {
        List<CellViewModel> cells = vm.cells();
        for (int i = 0; i < cells.size(); i++) {
            CellView v = views.get(cells.get(i));
            Bounds b = v.localToScene(v.getBoundsInLocal());
            if (sceneY < b.getMinY() + b.getHeight() / 2) {
                return i;
            }
        }
        return cells.size();
    }

    void installDrag(Node handle, CellViewModel cell) {
        handle.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            vm.select(cell);
            e.consume();
        });
        handle.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            showDropIndicator(indexAt(e.getSceneY()));
            e.consume();
        });
        handle.addEventHandler(MouseEvent.MOUSE_RELEASED, e -> {
            int before = indexAt(e.getSceneY());
            clearDropIndicator();
            int from = vm.cells().indexOf(cell);
            if (from >= 0) {
                vm.move(cell, before > from ? before - 1 : before);
            }
            e.consume();
        });
    }

    private void showDropIndicator(int before) {
        clearDropIndicator();
        List<CellViewModel> cells = vm.cells();
        if (cells.isEmpty()) {
            return;
        }
        dropAfter = before >= cells.size();
        dropTarget = views.get(cells.get(dropAfter ? cells.size() - 1 : before));
        dropTarget.pseudoClassStateChanged(dropAfter ? Styles.DROP_AFTER : Styles.DROP_BEFORE, true);
    }

    private void clearDropIndicator() {
        if (dropTarget != null) {
            dropTarget.pseudoClassStateChanged(Styles.DROP_BEFORE, false);
            dropTarget.pseudoClassStateChanged(Styles.DROP_AFTER, false);
            dropTarget = null;
        }
    }

    // ------------------------------------------------------------------ pictures dropped from outside

    private void installFileDrop() {
        addEventHandler(DragEvent.DRAG_OVER, e -> {
            if (e.getDragboard().hasFiles() || e.getDragboard().hasImage()) {
                e.acceptTransferModes(TransferMode.COPY);
                showDropIndicator(indexAt(e.getSceneY()));
                e.consume();
            }
        });
        addEventHandler(DragEvent.DRAG_EXITED, e -> clearDropIndicator());
        addEventHandler(DragEvent.DRAG_DROPPED, e -> {
            int at = indexAt(e.getSceneY());
            clearDropIndicator();
            boolean ok = false;
            if (e.getDragboard().hasFiles()) {
                List<Path> files = new ArrayList<>();
                for (File f : e.getDragboard().getFiles()) {
                    if (ImageFiles.looksLikeImage(f.toPath())) {
                        files.add(f.toPath());
                    }
                }
                if (!files.isEmpty()) {
                    vm.importImages(files, at);
                    ok = true;
                }
            } else if (e.getDragboard().hasImage()) {
                vm.insertImages(List.of(dev.weft.app.common.FxImages.fromFx(e.getDragboard().getImage())), at);
                ok = true;
            }
            e.setDropCompleted(ok);
            e.consume();
        });
    }
}
