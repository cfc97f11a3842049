package dev.weft.engine.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;

/**
 * The segmentation classes and the colours of the colour-coded map: id 0 is the background (black), ids 1..12 are
 * the {@link ObjectClass}es in declaration order. The same table is in
 * {@code src/main/resources/dev/weft/engine/world/palette.json} ({@link #json()}; a test keeps them equal) and in
 * every generated data set's {@code manifest.json}.
 */
public final class Palette {
    public static final int BACKGROUND = 0;
    public static final int BACKGROUND_RGB = 0x000000;
    public static final String RESOURCE = "/dev/weft/engine/world/palette.json";

    private Palette() { }

    /** Number of classes including the background. */
    public static int classes() {
        return ObjectClass.values().length + 1;
    }

    public static String name(int id) {
        return id == BACKGROUND ? "background" : ObjectClass.ofClassId(id).word();
    }

    public static int rgb(int id) {
        return id == BACKGROUND ? BACKGROUND_RGB : ObjectClass.ofClassId(id).mapRgb();
    }

    public static BufferedImage colourise(byte[] labels, int w, int h) {
        int[] lut = new int[256];
        for (int k = 0; k < classes(); k++) {
            lut[k] = rgb(k);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            px[i] = lut[labels[i] & 0xFF];
        }
        return img;
    }

    /** Class ids of a colour-coded map: each pixel gets the class of the nearest palette colour. */
    public static byte[] decode(BufferedImage map) {
        int w = map.getWidth();
        int h = map.getHeight();
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = map.getRGB(x, y);
                int best = 0;
                long bestD = Long.MAX_VALUE;
                for (int k = 0; k < classes(); k++) {
                    int q = rgb(k);
                    long dr = Pixels.r(p) - Pixels.r(q);
                    long dg = Pixels.g(p) - Pixels.g(q);
                    long db = Pixels.b(p) - Pixels.b(q);
                    long d = dr * dr + dg * dg + db * db;
                    if (d < bestD) {
                        bestD = d;
                        best = k;
                    }
                }
                out[y * w + x] = (byte) best;
            }
        }
        return out;
    }

    /** {@code {"classes": [{"id": 0, "name": "background", "rgb": [0, 0, 0]}, ...]}}. */
    public static ObjectNode toJson(ObjectMapper om) {
        ObjectNode root = om.createObjectNode();
        ArrayNode cs = root.putArray("classes");
        for (int k = 0; k < classes(); k++) {
            ObjectNode c = cs.addObject();
            c.put("id", k);
            c.put("name", name(k));
            int rgb = rgb(k);
            c.putArray("rgb").add(Pixels.r(rgb)).add(Pixels.g(rgb)).add(Pixels.b(rgb));
        }
        return root;
    }

    /** Writes the resource: {@code Palette [OUT]} (default: the source tree's palette.json). */
    public static void main(String[] args) throws IOException {
        java.nio.file.Path out = java.nio.file.Path.of(args.length > 0 ? args[0]
                : "engine/src/main/resources" + RESOURCE);
        java.nio.file.Files.writeString(out, json());
        System.out.println("wrote " + out);
    }

    public static String json() {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            return om.writeValueAsString(toJson(om)) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
