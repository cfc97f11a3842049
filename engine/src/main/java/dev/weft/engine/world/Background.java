package dev.weft.engine.world;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Backgrounds, each with its fixed phrase ("on grass", "in the sky", "at night") and the object colours it hides
 * (never drawn on it, so objects stay visible: no green object on grass).
 */
public enum Background {
    GRASS(EnumSet.of(Colour.GREEN), "on", "grass"),
    SKY(EnumSet.of(Colour.BLUE, Colour.WHITE), "in", "the", "sky"),
    SAND(EnumSet.of(Colour.YELLOW), "on", "sand"),
    WATER(EnumSet.of(Colour.BLUE), "on", "water"),
    SNOW(EnumSet.of(Colour.WHITE), "in", "snow"),
    NIGHT(EnumSet.of(Colour.BLUE), "at", "night");

    private final Set<Colour> hidden;
    private final List<String> words;

    Background(Set<Colour> hidden, String... words) {
        this.hidden = hidden;
        this.words = List.of(words);
    }

    public List<String> words() {
        return words;
    }

    public String phrase() {
        return String.join(" ", words);
    }

    /** The word naming it (the last word of the phrase). */
    public String word() {
        return words.get(words.size() - 1);
    }

    public boolean allows(Colour c) {
        return !hidden.contains(c);
    }

    public static Background ofWords(List<String> ws) {
        for (Background b : values()) {
            if (b.words.equals(ws)) {
                return b;
            }
        }
        return null;
    }
}
