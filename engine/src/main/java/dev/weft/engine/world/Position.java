package dev.weft.engine.world;

import java.util.List;

/**
 * The nine cells of a 3x3 grid an object sits in. The phrase is {@code "at the " + words}: "at the top left",
 * "at the left", "at the center". Centres are in pixels of a 128x128 image.
 */
public enum Position {
    TOP_LEFT(0, 0, "top", "left"),
    TOP(1, 0, "top"),
    TOP_RIGHT(2, 0, "top", "right"),
    LEFT(0, 1, "left"),
    CENTER(1, 1, "center"),
    RIGHT(2, 1, "right"),
    BOTTOM_LEFT(0, 2, "bottom", "left"),
    BOTTOM(1, 2, "bottom"),
    BOTTOM_RIGHT(2, 2, "bottom", "right");

    private static final double[] CENTRES = {28, 64, 100};
    private final int column;
    private final int row;
    private final List<String> words;

    Position(int column, int row, String... words) {
        this.column = column;
        this.row = row;
        this.words = List.of(words);
    }

    public List<String> words() {
        return words;
    }

    public String phrase() {
        return String.join(" ", words);
    }

    public int column() {
        return column;
    }

    public int row() {
        return row;
    }

    public double x() {
        return CENTRES[column];
    }

    public double y() {
        return CENTRES[row];
    }

    /** The position named by exactly these words, or null. */
    public static Position ofWords(List<String> ws) {
        for (Position p : values()) {
            if (p.words.equals(ws)) {
                return p;
            }
        }
        return null;
    }
}
