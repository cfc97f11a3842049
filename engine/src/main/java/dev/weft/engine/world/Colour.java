package dev.weft.engine.world;

/**
 * The colours an object can have, with the word the grammar uses and the flat-style RGB. Styles derive their own
 * variants (pastel for watercolour, saturated for neon) from this one colour.
 */
public enum Colour {
    RED("red", 0xDC322F),
    ORANGE("orange", 0xF58C1E),
    YELLOW("yellow", 0xF5D728),
    GREEN("green", 0x3CAA46),
    BLUE("blue", 0x2864DC),
    PURPLE("purple", 0x8C3CBE),
    PINK("pink", 0xF078B4),
    BROWN("brown", 0x825028),
    WHITE("white", 0xFAFAFA),
    GRAY("gray", 0x828287);

    private final String word;
    private final int rgb;

    Colour(String word, int rgb) {
        this.word = word;
        this.rgb = rgb;
    }

    public String word() {
        return word;
    }

    /** 0xRRGGBB. */
    public int rgb() {
        return rgb;
    }

    public static Colour ofWord(String w) {
        for (Colour c : values()) {
            if (c.word.equals(w)) {
                return c;
            }
        }
        return null;
    }
}
