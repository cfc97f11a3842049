package dev.weft.app.storyboard;

import dev.weft.app.project.Recipe;
import dev.weft.app.project.Version;
import dev.weft.app.sketch.Sketch;

import java.awt.image.BufferedImage;
import java.util.List;

/** Everything about a cell that an edit can change at once (regenerate, restore, a stroke): content, recipe, history. */
record CellState(String text, BufferedImage image, Recipe recipe, List<Version> history, Sketch sketch) {
    CellState {
        history = List.copyOf(history);
    }

    CellState(String text, BufferedImage image, Recipe recipe, List<Version> history) {
        this(text, image, recipe, history, null);
    }

    CellState withSketch(Sketch s) {
        return new CellState(text, image, recipe, history, s);
    }

    Version asVersion() {
        return new Version(text, image, recipe);
    }
}
