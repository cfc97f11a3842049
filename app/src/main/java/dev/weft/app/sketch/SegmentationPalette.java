package dev.weft.app.sketch;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The segmentation classes a model knows, by name, and the colour each has in its segmentation maps. People pick
 * classes by name; colours are only what the map is made of.
 *
 * <p>A model folder may hold a {@code palette.json} (the same layout as Weft's world palette,
 * {@code dev/weft/engine/world/palette.json}): {@code {"classes": [{"id": 0, "name": "background", "rgb": [0, 0, 0]},
 * ...]}}, with an optional top-level {@code "name"}. Class 0 is what the eraser paints. Without one, the model is
 * taken to be an MM-Interleaved checkpoint and gets {@link #ade20k()}.
 *
 * <p>MMI's ADE20K maps ({@code annotations_with_color/}) are colour-coded with Painter's per-location palette
 * ({@code custom_datasets/ade20k_preparation.py}, {@code define_colors_per_location_mean_sep}): 150 locations,
 * {@code int(150 ** (1/3)) + 1 = 6} steps of {@code 256 // 6 = 42} per channel, class {@code k} (1-based ADE20K
 * index) at location {@code k - 1} ({@code colorEncode}); unlabelled pixels are black. The pad offers the classes a
 * storyboard needs most, by their ADE20K names.
 *
 * @param name    shown in the pad's tooltip ("ADE20K", or the model's)
 * @param classes every class, the background (id 0) included when the palette has one
 */
public record SegmentationPalette(String name, List<Entry> classes) {
    /** Unlabelled / background: what the eraser paints. */
    public static final int UNLABELLED = 0;
    /** Classes in ADE20K. */
    public static final int ADE20K_CLASSES = 150;
    public static final String FILE = "palette.json";

    /** A class: its id in the model's maps, its name and its map colour (RGB). */
    public record Entry(int id, String name, int rgb) {
        @Override
        public String toString() {
            return name;
        }
    }

    public SegmentationPalette {
        if (name == null || name.isBlank()) {
            name = "classes";
        }
        classes = List.copyOf(classes);
        Set<Integer> ids = new HashSet<>();
        Set<Integer> colours = new HashSet<>();
        for (Entry e : classes) {
            if (e.id() < 0 || e.id() > 65535) {
                throw new IllegalArgumentException("palette " + name + ": class id " + e.id()
                        + " out of range (expected 0 to 65535)");
            }
            if (e.name() == null || e.name().isBlank()) {
                throw new IllegalArgumentException("palette " + name + ": class " + e.id() + " has no name");
            }
            if (!ids.add(e.id())) {
                throw new IllegalArgumentException("palette " + name + ": class id " + e.id() + " appears twice");
            }
            if (!colours.add(e.rgb() & 0xFFFFFF)) {
                throw new IllegalArgumentException("palette " + name + ": class " + e.name()
                        + " has the colour of another class");
            }
        }
        if (classes.stream().noneMatch(e -> e.id() != UNLABELLED)) {
            throw new IllegalArgumentException("palette " + name + ": expected at least one class to paint, found "
                    + "none");
        }
    }

    // ------------------------------------------------------------------ the palettes

    private static final SegmentationPalette ADE20K = new SegmentationPalette("ADE20K", ade20kCommon());

    /** MM-Interleaved's ADE20K classes (the 30 a storyboard needs most) in their map colours. */
    public static SegmentationPalette ade20k() {
        return ADE20K;
    }

    private static List<Entry> ade20kCommon() {
        int[] ids = {3, 5, 10, 17, 22, 27, 61, 47, 14, 35, 67, 18, 2, 26, 7, 12, 33, 62, 13, 127, 21, 77, 1, 4, 15, 9,
            16, 20, 8, 37};
        String[] names = {"sky", "tree", "grass", "mountain", "water", "sea", "river", "sand", "earth", "rock",
            "flower", "plant", "building", "house", "road", "sidewalk", "fence", "bridge", "person", "animal", "car",
            "boat", "wall", "floor", "door", "windowpane", "table", "chair", "bed", "lamp"};
        List<Entry> l = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            l.add(new Entry(ids[i], names[i], ade20kColor(ids[i])));
        }
        return l;
    }

    /** The map colour of an ADE20K class in MM-Interleaved's maps (0: unlabelled, black). */
    public static int ade20kColor(int id) {
        if (id <= 0 || id > ADE20K_CLASSES) {
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

    /**
     * The palette of a model folder: its {@code palette.json}, else ADE20K. A damaged file is an error naming the
     * file (a model with a wrong palette would paint the wrong things).
     */
    public static SegmentationPalette forModel(Path modelDir) {
        Path f = modelDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return ade20k();
        }
        String fallbackName = modelDir.getFileName() == null ? "model" : modelDir.getFileName().toString();
        try {
            return fromJson(new ObjectMapper().readTree(f.toFile()), fallbackName);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(f + ": not a usable palette (" + e.getMessage() + ")", e);
        }
    }

    // ------------------------------------------------------------------ JSON (palette.json and in sketches)

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static SegmentationPalette fromJson(JsonNode root) {
        return fromJson(root, null);
    }

    static SegmentationPalette fromJson(JsonNode root, String fallbackName) {
        if (root == null || !root.isObject() || !root.path("classes").isArray()) {
            throw new IllegalArgumentException("expected {\"classes\": [...]}");
        }
        List<Entry> l = new ArrayList<>();
        for (JsonNode c : root.get("classes")) {
            JsonNode rgb = c.path("rgb");
            if (!c.path("id").canConvertToInt() || !c.path("name").isTextual() || !rgb.isArray() || rgb.size() != 3) {
                throw new IllegalArgumentException("expected a class as {\"id\": n, \"name\": \"...\", \"rgb\": "
                        + "[r, g, b]}, found " + c);
            }
            int v = 0;
            for (JsonNode ch : rgb) {
                int x = ch.asInt(-1);
                if (!ch.canConvertToInt() || x < 0 || x > 255) {
                    throw new IllegalArgumentException("class " + c.path("name").asText() + ": colour components "
                            + "must be 0 to 255, found " + rgb);
                }
                v = (v << 8) | x;
            }
            l.add(new Entry(c.get("id").asInt(), c.get("name").asText().strip(), v));
        }
        String name = root.path("name").isTextual() ? root.get("name").asText() : fallbackName;
        return new SegmentationPalette(name, l);
    }

    @JsonValue
    ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("name", name);
        ArrayNode cs = root.putArray("classes");
        for (Entry e : classes) {
            ObjectNode c = cs.addObject();
            c.put("id", e.id());
            c.put("name", e.name());
            c.putArray("rgb").add((e.rgb() >> 16) & 255).add((e.rgb() >> 8) & 255).add(e.rgb() & 255);
        }
        return root;
    }

    // ------------------------------------------------------------------ lookups

    /** The classes a brush paints: all but the background, in the file's order. */
    public List<Entry> brushes() {
        return classes.stream().filter(e -> e.id() != UNLABELLED).toList();
    }

    /** The map colour of a class; the background's (black unless the palette says otherwise) for unknown ids. */
    public int color(int id) {
        for (Entry e : classes) {
            if (e.id() == id) {
                return e.rgb();
            }
        }
        return id == UNLABELLED ? 0 : color(UNLABELLED);
    }

    /** The class with this id, or null. */
    public Entry byId(int id) {
        for (Entry e : classes) {
            if (e.id() == id) {
                return e;
            }
        }
        return null;
    }

    /** The class with this name (any case), or null. */
    public Entry byName(String n) {
        for (Entry e : classes) {
            if (e.name().equalsIgnoreCase(n)) {
                return e;
            }
        }
        return null;
    }

    /** True when both have the same classes in the same colours (names of the palettes aside). */
    public boolean sameClasses(SegmentationPalette o) {
        return o != null && classes.equals(o.classes);
    }
}
