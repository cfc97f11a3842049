package dev.weft.engine.world;

/** Object sizes: the word and the radius in pixels of a 128x128 image (the silhouette spans about 2 radii). */
public enum Size {
    SMALL("small", 12),
    MEDIUM("medium", 18),
    LARGE("large", 25);

    private final String word;
    private final double radius;

    Size(String word, double radius) {
        this.word = word;
        this.radius = radius;
    }

    public String word() {
        return word;
    }

    public double radius() {
        return radius;
    }

    /** One step bigger ({@code grows}), or null for the largest. */
    public Size bigger() {
        return ordinal() + 1 < values().length ? values()[ordinal() + 1] : null;
    }

    /** One step smaller ({@code shrinks}), or null for the smallest. */
    public Size smaller() {
        return ordinal() > 0 ? values()[ordinal() - 1] : null;
    }

    public static Size ofWord(String w) {
        for (Size s : values()) {
            if (s.word.equals(w)) {
                return s;
            }
        }
        return null;
    }
}
