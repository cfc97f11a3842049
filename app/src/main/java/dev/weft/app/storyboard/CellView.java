package dev.weft.app.storyboard;

import dev.weft.app.common.Styles;
import dev.weft.app.project.Recipe;
import dev.weft.app.sketch.SketchOp;
import dev.weft.app.sketch.SketchPadView;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextArea;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.List;

/**
 * One cell card: a drag handle, the text (a text area) or the picture (with a progress bar and denoising previews
 * while it is generated), a line about its recipe, and duplicate / delete buttons. Built once per cell and kept
 * while the cell exists, so reordering never loses the caret or scroll position.
 */
final class CellView extends HBox {
    static final double BASE_IMAGE_WIDTH = 256;

    private final CellViewModel cell;
    private final StoryboardViewModel vm;
    private TextArea area;
    private ImageView image;
    private boolean updatingArea;

    CellView(CellViewModel cell, StoryboardViewModel vm, StoryboardView board) {
        this.cell = cell;
        this.vm = vm;
        getStyleClass().add(Styles.CELL_CARD);
        setId("cell-" + cell.id());
        setSpacing(6);
        setFillHeight(true);

        Label handle = new Label("⠿");
        handle.getStyleClass().add(Styles.DRAG_HANDLE);
        handle.setTooltip(new Tooltip("Drag to move (Alt+Up / Alt+Down)"));
        handle.setMaxHeight(Double.MAX_VALUE);
        board.installDrag(handle, cell);

        VBox content = new VBox(4);
        HBox.setHgrow(content, Priority.ALWAYS);
        content.getChildren().add(cell.isText() ? textEditor() : cell.isSketch() ? sketchPad() : picture());
        Label meta = new Label();
        meta.getStyleClass().add(Styles.CELL_META);
        meta.textProperty().bind(Bindings.createStringBinding(() -> describe(cell), cell.recipeProperty(),
                cell.statusProperty(), cell.generatingProperty()));
        meta.managedProperty().bind(meta.textProperty().isNotEmpty());
        meta.visibleProperty().bind(meta.managedProperty());
        content.getChildren().add(meta);

        Button dup = new Button("Copy");
        dup.getStyleClass().add(Styles.CELL_ACTION);
        dup.setTooltip(new Tooltip("Duplicate (Ctrl+D)"));
        dup.setOnAction(e -> vm.duplicate(cell));
        dup.disableProperty().bind(cell.placeholderProperty());
        Button del = new Button("✕");
        del.getStyleClass().add(Styles.CELL_ACTION);
        del.setTooltip(new Tooltip("Delete (Ctrl+Shift+Delete)"));
        del.setOnAction(e -> vm.delete(cell));
        del.setId("delete-" + cell.id());
        VBox actions = new VBox(4, dup, del);
        actions.setAlignment(Pos.TOP_CENTER);

        getChildren().addAll(handle, content, actions);
        addEventFilter(MouseEvent.MOUSE_PRESSED, e -> vm.select(cell));
        setOnContextMenuRequested(e -> {
            // text areas have their own (cut, copy, paste): only the card around them gets this one
            if (e.getTarget() instanceof javafx.scene.Node n && isInTextArea(n)) {
                return;
            }
            vm.select(cell);
            contextMenu(board.cellActions()).show(this, e.getScreenX(), e.getScreenY());
            e.consume();
        });
        pseudoClassStateChanged(Styles.GENERATING, cell.isGenerating());
        cell.generatingProperty().addListener((o, a, b) -> pseudoClassStateChanged(Styles.GENERATING, b));
    }

    CellViewModel cell() {
        return cell;
    }

    private boolean isInTextArea(javafx.scene.Node n) {
        for (javafx.scene.Node p = n; p != null && p != this; p = p.getParent()) {
            if (p instanceof TextArea || p instanceof javafx.scene.control.TextField) {
                return true;
            }
        }
        return false;
    }

    /** Regenerate, vary, variants; save, copy, use as reference; duplicate, delete. */
    ContextMenu contextMenu(CellActions actions) {
        boolean busy = cell.isGenerating() || cell.isPlaceholder() || !vm.canGenerateBinding().get();
        boolean picture = cell.getImage() != null && !cell.isPlaceholder();
        List<MenuItem> items = new ArrayList<>();
        if (cell.isSketch()) {
            items.add(menuItem("Paint", busy, () -> vm.paintFromSketch(cell)));
            items.add(menuItem("Paint 4 Variants", busy, () -> vm.variants(cell, 4)));
        } else {
            items.add(menuItem(cell.isText() ? "Rewrite" : "Repaint", busy, () -> vm.regenerate(cell)));
            items.add(menuItem("Vary Seed", busy, () -> vm.varySeed(cell)));
            items.add(menuItem("4 Variants", busy, () -> vm.variants(cell, 4)));
        }
        if (actions != null && (picture || cell.isSketch())) {
            items.add(new SeparatorMenuItem());
            items.add(menuItem(cell.isSketch() ? "Save Map As…" : "Save Picture As…", false,
                    () -> actions.savePicture(cell)));
            if (picture) {
                items.add(menuItem("Copy Picture", false, () -> actions.copyPicture(cell)));
                items.add(menuItem("Use as Style Reference", false, () -> actions.useAsReference(cell)));
            }
        }
        items.add(new SeparatorMenuItem());
        items.add(menuItem("Duplicate", cell.isPlaceholder(), () -> vm.duplicate(cell)));
        items.add(menuItem("Delete", false, () -> vm.delete(cell)));
        ContextMenu m = new ContextMenu(items.toArray(new MenuItem[0]));
        m.getStyleClass().add("cell-menu");
        return m;
    }

    private static MenuItem menuItem(String text, boolean disabled, Runnable action) {
        MenuItem i = new MenuItem(text);
        i.setDisable(disabled);
        i.setOnAction(e -> action.run());
        return i;
    }

    static String describe(CellViewModel c) {
        if (c.isGenerating()) {
            String s = c.statusProperty().get();
            return s.isEmpty() ? "generating…" : "generating · " + s;
        }
        Recipe r = c.getRecipe();
        if (r == null) {
            return "";
        }
        return "generated · seed " + r.seed() + " · " + r.steps() + " steps"
                + (c.history().isEmpty() ? "" : " · " + c.history().size() + " earlier");
    }

    private TextArea textEditor() {
        area = new TextArea(cell.getText());
        area.getStyleClass().add(Styles.CELL_TEXT);
        area.setWrapText(true);
        area.setPromptText("Write here…");
        area.setPrefRowCount(rows(cell.getText()));
        area.editableProperty().bind(cell.generatingProperty().not());
        // View -> ViewModel: every change is an edit (merged into one undo step per typing run)
        area.textProperty().addListener((o, a, b) -> {
            if (!updatingArea) {
                vm.editText(cell, b);
            }
            area.setPrefRowCount(rows(b));
        });
        // ViewModel -> View: undo, redo, streaming tokens, regenerate
        cell.textProperty().addListener((o, a, b) -> {
            if (!b.equals(area.getText())) {
                updatingArea = true;
                try {
                    area.setText(b);
                    area.positionCaret(b.length());
                } finally {
                    updatingArea = false;
                }
            }
        });
        area.focusedProperty().addListener((o, a, b) -> {
            if (b) {
                vm.select(cell);
            }
        });
        return area;
    }

    static int rows(String text) {
        int lines = 1;
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n' || ++run > 70) {
                lines++;
                run = 0;
            }
        }
        return Math.max(2, Math.min(lines, 30));
    }

    private StackPane picture() {
        image = new ImageView();
        image.getStyleClass().add(Styles.CELL_IMAGE);
        image.setPreserveRatio(true);
        image.setSmooth(true);
        image.imageProperty().bind(cell.displayImageBinding());
        image.fitWidthProperty().bind(vm.zoomProperty().multiply(BASE_IMAGE_WIDTH));
        ProgressBar bar = new ProgressBar();
        bar.progressProperty().bind(cell.progressProperty());
        bar.visibleProperty().bind(cell.generatingProperty());
        bar.setMaxWidth(Double.MAX_VALUE);
        StackPane.setAlignment(bar, Pos.BOTTOM_CENTER);
        StackPane p = new StackPane(image, bar);
        p.setAlignment(Pos.TOP_LEFT);
        p.minHeightProperty().bind(Bindings.when(cell.displayImageBinding().isNull())
                .then(vm.zoomProperty().multiply(BASE_IMAGE_WIDTH)).otherwise(0));
        p.maxWidthProperty().bind(vm.zoomProperty().multiply(BASE_IMAGE_WIDTH));
        return p;
    }

    private SketchPadView sketchPad() {
        return new SketchPadView(vm.sketchTools(), new SketchPadView.Model(cell.sketchProperty(), cell.textProperty(),
                cell.livePreviewProperty(), cell.liveStatusProperty()), vm.zoomProperty(),
                new SketchPadView.Actions() {
                    @Override
                    public void op(SketchOp op) {
                        vm.sketchOp(cell, op);
                    }

                    @Override
                    public void caption(String text) {
                        vm.editText(cell, text);
                    }

                    @Override
                    public void paint() {
                        vm.paintFromSketch(cell);
                    }
                });
    }

    /** Puts the caret in the text (new cells). */
    void focusEditor() {
        if (area != null) {
            area.requestFocus();
        }
    }

    TextArea textArea() {
        return area;
    }
}
