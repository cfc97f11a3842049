package dev.weft.engine.world;

import java.util.List;

/** Render styles; the phrase is {@code "in " + words}: "in flat style", "in watercolour", "in pixel art". */
public enum Style {
    /** Clean vector shapes with anti-aliased edges and flat fills. */
    FLAT("flat", "style"),
    /** Pastel washes, wobbly soft edges, darker pigment rims, paper texture. */
    WATERCOLOUR("watercolour"),
    /** Coloured-pencil hatching on white paper with sketchy graphite outlines. */
    PENCIL("pencil"),
    /** A 43x43 grid upscaled 3x, a small palette, dark outlines, dithered backgrounds. */
    PIXEL("pixel", "art"),
    /** A dark scene with glowing saturated outlines. */
    NEON("neon");

    private final List<String> words;

    Style(String... words) {
        this.words = List.of(words);
    }

    public List<String> words() {
        return words;
    }

    public String phrase() {
        return String.join(" ", words);
    }

    public String id() {
        return name().toLowerCase();
    }

    public static Style ofWords(List<String> ws) {
        for (Style s : values()) {
            if (s.words.equals(ws)) {
                return s;
            }
        }
        return null;
    }
}
