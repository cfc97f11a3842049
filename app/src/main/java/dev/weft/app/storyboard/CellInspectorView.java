package dev.weft.app.storyboard;

import dev.weft.app.common.Styles;
import dev.weft.app.project.Recipe;
import dev.weft.app.project.Version;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ChangeListener;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.image.ImageView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.text.DateFormat;
import java.util.Date;

/**
 * The selected cell's recipe (mode, context, prompt, seed, steps, guidance, sampler, model) and its earlier
 * versions, with Regenerate, Vary seed and Restore.
 */
public final class CellInspectorView extends VBox {
    private final StoryboardViewModel vm;
    private final GridPane recipe = new GridPane();
    private final VBox versions = new VBox(6);
    private final Label none = new Label("Select a cell to see how it was made.");
    private final Button regenerate = new Button("Regenerate");
    private final Button vary = new Button("Vary seed");
    private final Button variants = new Button("4 variants");
    private CellViewModel shown;
    private final ChangeListener<Object> refresh = (o, a, b) -> show(shown);
    private final ListChangeListener<Version> refreshList = ch -> show(shown);

    public CellInspectorView(StoryboardViewModel vm) {
        super(8);
        this.vm = vm;
        setId("inspector");
        getStyleClass().add(Styles.SIDE_PANEL);
        Label title = new Label("Recipe and versions");
        title.getStyleClass().add(Styles.PANEL_TITLE);
        none.getStyleClass().add(Styles.MUTED);
        none.setWrapText(true);
        recipe.setHgap(8);
        recipe.setVgap(2);
        regenerate.setId("regenerate");
        vary.setId("vary-seed");
        regenerate.setOnAction(e -> {
            if (shown != null) {
                vm.regenerate(shown);
            }
        });
        vary.setOnAction(e -> {
            if (shown != null) {
                vm.varySeed(shown);
            }
        });
        variants.setId("variants");
        variants.setTooltip(new javafx.scene.control.Tooltip("Four new versions with new seeds, one after the "
                + "other; pick one from the versions below"));
        variants.setOnAction(e -> {
            if (shown != null) {
                vm.variants(shown, 4);
            }
        });
        HBox buttons = new HBox(6, regenerate, vary, variants);
        getChildren().addAll(title, none, recipe, buttons, versions);
        vm.selectedProperty().addListener((o, a, b) -> show(b));
        show(vm.getSelected());
    }

    private void show(CellViewModel c) {
        if (shown != c) {
            if (shown != null) {
                shown.recipeProperty().removeListener(refresh);
                shown.generatingProperty().removeListener(refresh);
                shown.history().removeListener(refreshList);
            }
            shown = c;
            if (c != null) {
                c.recipeProperty().addListener(refresh);
                c.generatingProperty().addListener(refresh);
                c.history().addListener(refreshList);
            }
        }
        recipe.getChildren().clear();
        versions.getChildren().clear();
        none.setVisible(c == null);
        none.setManaged(c == null);
        boolean busy = c == null || c.isGenerating() || c.isPlaceholder();
        regenerate.setDisable(busy || !vm.canGenerateBinding().get());
        vary.setDisable(busy || !vm.canGenerateBinding().get());
        variants.setDisable(busy || !vm.canGenerateBinding().get());
        if (c == null) {
            return;
        }
        Recipe r = c.getRecipe();
        if (c.isSketch()) {
            row(0, "Sketch", "a map of " + c.getSketch().palette().name() + " classes; Paint (or Regenerate) "
                    + "paints a picture from it and its caption");
        } else if (r == null) {
            row(0, "Made by", "you (Regenerate " + (c.isText() ? "writes" : "paints") + " it again from the cells "
                    + "above)");
        } else {
            int i = 0;
            row(i++, "Mode", r.mode().name().toLowerCase().replace('_', ' '));
            row(i++, "Context", r.context());
            row(i++, "Prompt", shorten(r.prompt()));
            row(i++, "Seed", String.valueOf(r.seed()));
            row(i++, "Steps", String.valueOf(r.steps()));
            row(i++, "Guidance", String.valueOf(r.guidance()));
            row(i++, "Sampler", r.scheduler().toLowerCase());
            row(i++, "Model", r.modelId());
            row(i, "Made", DateFormat.getDateTimeInstance(DateFormat.SHORT, DateFormat.SHORT)
                    .format(new Date(r.createdAt())));
        }
        if (!c.history().isEmpty()) {
            Label h = new Label("Earlier versions");
            h.getStyleClass().add(Styles.PANEL_TITLE);
            versions.getChildren().add(h);
        }
        int n = 0;
        for (Version v : c.history()) {
            versions.getChildren().add(versionRow(c, v, n++));
        }
    }

    private HBox versionRow(CellViewModel c, Version v, int index) {
        HBox row = new HBox(6);
        row.getStyleClass().add(Styles.VERSION_ROW);
        row.setAlignment(Pos.CENTER_LEFT);
        if (v.image() != null) {
            ImageView iv = new ImageView(dev.weft.app.common.FxImages.toFx(v.image()));
            iv.setFitWidth(48);
            iv.setPreserveRatio(true);
            row.getChildren().add(iv);
        }
        Label l = new Label((v.image() == null ? shorten(v.text()) : "")
                + (v.recipe() == null ? " (yours)" : " seed " + v.recipe().seed()));
        l.setWrapText(true);
        l.setMaxWidth(200);
        HBox.setHgrow(l, Priority.ALWAYS);
        Button restore = new Button("Restore");
        restore.setId("restore-" + index);
        restore.disableProperty().bind(Bindings.createBooleanBinding(c::isGenerating, c.generatingProperty()));
        restore.setOnAction(e -> vm.restore(c, v));
        row.getChildren().addAll(l, restore);
        return row;
    }

    private void row(int i, String k, String v) {
        Label key = new Label(k);
        key.getStyleClass().add(Styles.MUTED);
        Label val = new Label(v);
        val.setWrapText(true);
        val.setMaxWidth(220);
        recipe.addRow(i, key, val);
    }

    static String shorten(String s) {
        String t = s.strip().replace('\n', ' ');
        return t.length() > 120 ? t.substring(0, 117) + "…" : t;
    }
}
