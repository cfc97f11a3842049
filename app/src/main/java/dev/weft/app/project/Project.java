package dev.weft.app.project;

import java.util.List;

/**
 * A storyboard as stored in a {@code .weft} file: its cells in order and the generation settings, or {@code null}
 * settings for a project that has none of its own (a new one, or a file saved without them): it takes the loaded
 * model's preferences.
 */
public record Project(List<CellData> cells, Settings settings) {
    public Project {
        cells = List.copyOf(cells);
    }

    /** The generation settings saved with a project. */
    public record Settings(long seed, boolean randomSeed, int steps, float guidance, String scheduler,
                           int maxTokens, int imagesPerContinue) {
    }

    /** A new project: no cells, and the loaded model's settings. */
    public static Project empty() {
        return new Project(List.of(), null);
    }
}
