package dev.weft.app.project;

import dev.weft.app.sketch.Sketch;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * One cell as stored: text, picture or sketch (with its caption in {@code text}), the recipe of a generated cell
 * (null if hand-made), and its earlier versions, newest first.
 */
public record CellData(String id, CellKind kind, String text, BufferedImage image, Recipe recipe,
                       List<Version> history, Sketch sketch) {
    public CellData {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("cell: expected an id, found none");
        }
        if (kind == null) {
            throw new IllegalArgumentException("cell " + id + ": expected a kind, found none");
        }
        if (kind == CellKind.IMAGE && image == null) {
            throw new IllegalArgumentException("cell " + id + ": an image cell needs an image");
        }
        if (kind == CellKind.SKETCH && sketch == null) {
            sketch = Sketch.empty();
        }
        text = text == null ? "" : text;
        history = history == null ? List.of() : List.copyOf(history);
    }

    public CellData(String id, CellKind kind, String text, BufferedImage image, Recipe recipe,
                    List<Version> history) {
        this(id, kind, text, image, recipe, history, null);
    }
}
