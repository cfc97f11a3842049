package dev.weft.app.project;

import java.util.List;

/** A storyboard as stored in a {@code .weft} file: its cells in order and the generation settings. */
public record Project(List<CellData> cells, Settings settings) {
    public Project {
        cells = List.copyOf(cells);
        settings = settings == null ? Settings.DEFAULT : settings;
    }

    /** The generation settings saved with a project. */
    public record Settings(long seed, boolean randomSeed, int steps, float guidance, String scheduler,
                           int maxTokens, int imagesPerContinue) {
        public static final Settings DEFAULT = new Settings(42, true, 20, 7.5f, "DDPM", 40, 1);
    }

    public static Project empty() {
        return new Project(List.of(), Settings.DEFAULT);
    }
}
