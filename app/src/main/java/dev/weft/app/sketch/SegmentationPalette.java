package dev.weft.app.sketch;

import java.util.List;

/**
 * Named classes and their colours in MM-Interleaved's segmentation maps. MMI's ADE20K maps
 * ({@code annotations_with_color/}) are colour-coded with Painter's per-location palette
 * ({@code custom_datasets/ade20k_preparation.py}, {@code define_colors_per_location_mean_sep}): 150 locations,
 * {@code int(150 ** (1/3)) + 1 = 6} steps of {@code 256 // 6 = 42} per channel, class {@code k} (1-based ADE20K
 * index) at location {@code k - 1} ({@code colorEncode}); unlabelled pixels are black. The pad offers the classes a storyboard needs most, by their ADE20K names.
 */
public final class SegmentationPalette {
    /** Unlabelled: what the eraser paints. */
    public static final int UNLABELLED = 0;
    public static final int CLASSES = 150;

    /** A class with its ADE20K index (1-based) and the map colour (RGB). */
    public record Entry(int id, String name, int rgb) {
        @Override
        public String toString() {
            return name;
        }
    }

    private SegmentationPalette() { }

    /** The map colour of an ADE20K class (0: unlabelled, black). */
    public static int color(int id) {
        if (id <= 0 || id > CLASSES) {
            return 0;
        }
        int steps = 6;
        int sep = 256 / steps;
        int loc = id - 1;
        int r = 255 - (loc / (steps * steps)) * sep;
        int g = 255 - ((loc % (steps * steps)) / steps) * sep;
        int b = 255 - (loc % steps) * sep;
        return (r << 16) | (g << 8) | b;
    }

    private static Entry e(int id, String name) {
        return new Entry(id, name, color(id));
    }

    /** The classes on offer in the pad, in a storyteller's order. */
    public static final List<Entry> COMMON = List.of(
            e(3, "sky"), e(5, "tree"), e(10, "grass"), e(17, "mountain"), e(22, "water"), e(27, "sea"),
            e(61, "river"), e(47, "sand"), e(14, "earth"), e(35, "rock"), e(67, "flower"), e(18, "plant"),
            e(2, "building"), e(26, "house"), e(7, "road"), e(12, "sidewalk"), e(33, "fence"), e(62, "bridge"),
            e(13, "person"), e(127, "animal"), e(21, "car"), e(77, "boat"), e(1, "wall"), e(4, "floor"),
            e(15, "door"), e(9, "windowpane"), e(16, "table"), e(20, "chair"), e(8, "bed"), e(37, "lamp"));

    public static Entry byId(int id) {
        for (Entry x : COMMON) {
            if (x.id() == id) {
                return x;
            }
        }
        return new Entry(id, "class " + id, color(id));
    }
}
