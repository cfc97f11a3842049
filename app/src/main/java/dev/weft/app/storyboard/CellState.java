package dev.weft.app.storyboard;

import dev.weft.app.project.Recipe;
import dev.weft.app.project.Version;

import java.awt.image.BufferedImage;
import java.util.List;

/** Everything about a cell that an edit can change at once (regenerate, restore): content, recipe, history. */
record CellState(String text, BufferedImage image, Recipe recipe, List<Version> history) {
    CellState {
        history = List.copyOf(history);
    }

    Version asVersion() {
        return new Version(text, image, recipe);
    }
}
