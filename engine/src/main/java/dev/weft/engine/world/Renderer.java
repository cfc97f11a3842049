package dev.weft.engine.world;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;

/**
 * Renders a {@link Scene} at 128x128 in its {@link Style}, with the segmentation labels of exactly that picture.
 *
 * <p>Every style starts from the same two passes: a paint pass (background layers, then objects in order, each
 * object's details in a darker shade) and an id pass without anti-aliasing that records, per pixel, which
 * background region or object covers its centre (the labels come from it). The style then treats the paint:
 * <ul>
 * <li>flat: as painted, anti-aliased;</li>
 * <li>watercolour: pastel colours, paint and ids warped together by a smooth noise field (wobbly edges), pigment
 *     pooled along every region's rim, uneven washes, a slight blur, paper grain;</li>
 * <li>pencil: coloured hatching on white paper (dense on objects, light on the background, two directions) and
 *     doubled, jittered graphite outlines;</li>
 * <li>pixel art: painted on a 43x43 grid without anti-aliasing, background dithered (Bayer 4x4) and everything
 *     snapped to a fixed palette, 1-cell dark outlines around objects, upscaled 3x (nearest) and cropped;</li>
 * <li>neon: the scene darkened, objects nearly black inside, with saturated glowing outlines (a sharp core plus
 *     a blurred halo) and dim glowing horizons and decorations.</li>
 * </ul>
 * Rendering is a pure function of the scene: same scene, same bytes.
 */
public final class Renderer {
    public static final int SIZE = 128;
    static final int PIXEL_GRID = 43;
    static final int PIXEL_SCALE = 3;
    private static final int PAPER = 0xF7F4EC;
    private static final int[] PIXEL_PALETTE = pixelPalette();
    /** Nearest palette colour of every colour with 6 bits per channel (the index is r6 << 12 | g6 << 6 | b6). */
    private static final int[] PIXEL_LUT = pixelLut();
    private static final int[][] BAYER = {{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}};

    private Renderer() { }

    public static Rendered render(Scene scene) {
        List<Backdrop.Layer> layers = Backdrop.layers(scene.background(), scene.detailSeed());
        return switch (scene.style()) {
            case FLAT -> flat(scene, layers);
            case WATERCOLOUR -> watercolour(scene, layers);
            case PENCIL -> pencil(scene, layers);
            case PIXEL -> pixel(scene, layers);
            case NEON -> neon(scene, layers);
        };
    }

    // ---------------------------------------------------------------- common passes

    private static Graphics2D graphics(BufferedImage img, boolean aa) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING,
                aa ? RenderingHints.VALUE_ANTIALIAS_ON : RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
        return g;
    }

    private static int[] data(BufferedImage img) {
        return ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
    }

    /** The pixels as 0xRRGGBB (Java2D may leave alpha bits in an INT_RGB raster). */
    private static int[] rgbOf(BufferedImage img) {
        int[] px = data(img).clone();
        for (int i = 0; i < px.length; i++) {
            px[i] &= 0xFFFFFF;
        }
        return px;
    }

    private static BufferedImage wrap(int[] px, int side) {
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        System.arraycopy(px, 0, data(img), 0, px.length);
        return img;
    }

    /** Background layers then objects, in layout space scaled to {@code side}. */
    private static int[] paint(Scene s, List<Backdrop.Layer> layers, int side, boolean aa,
                               IntUnaryOperator bgTone, IntUnaryOperator objTone) {
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(img, aa);
        g.scale(side / 128.0, side / 128.0);
        for (Backdrop.Layer l : layers) {
            if (l.gradient()) {
                Rectangle2D b = l.shape().getBounds2D();
                g.setPaint(new GradientPaint(0, (float) Math.max(0, b.getMinY()), new Color(bgTone.applyAsInt(l.rgb())),
                        0, (float) Math.min(128, b.getMaxY()), new Color(bgTone.applyAsInt(l.rgbBottom()))));
            } else {
                g.setPaint(new Color(bgTone.applyAsInt(l.rgb())));
            }
            if (l.stroke() > 0) {
                g.setStroke(new BasicStroke((float) l.stroke(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.draw(l.shape());
            } else {
                g.fill(l.shape());
            }
        }
        for (SceneObject o : s.objects()) {
            int c = objTone.applyAsInt(o.colour().rgb());
            AffineTransform t = o.transform(128);
            g.setPaint(new Color(c));
            g.fill(t.createTransformedShape(o.cls().silhouette()));
            g.setPaint(new Color(Pixels.shade(c)));
            for (Shape d : o.cls().details()) {
                g.fill(t.createTransformedShape(d));
            }
        }
        g.dispose();
        return rgbOf(img);
    }

    /**
     * Per pixel (pixel centres, no anti-aliasing): bits 16..23 the background region (layer index + 1) under it
     * where no object is, bits 8..15 object index + 1, bits 0..7 the object's class id (the label).
     */
    private static int[] ids(Scene s, List<Backdrop.Layer> layers, int side) {
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(img, false);
        g.scale(side / 128.0, side / 128.0);
        for (int i = 0; i < layers.size(); i++) {
            Backdrop.Layer l = layers.get(i);
            if (l.region()) {
                g.setPaint(new Color((i + 1) << 16));
                g.fill(l.shape());
            }
        }
        List<SceneObject> objs = s.objects();
        for (int j = 0; j < objs.size(); j++) {
            g.setPaint(new Color(((j + 1) << 8) | objs.get(j).cls().classId()));
            g.fill(objs.get(j).silhouette(128));
        }
        g.dispose();
        return rgbOf(img);
    }

    private static byte[] labels(int[] ids) {
        byte[] out = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (byte) ids[i];
        }
        return out;
    }

    private static boolean isObject(int id) {
        return (id & 0xFF00) != 0;
    }

    private static long styleSeed(Scene s) {
        return s.detailSeed() * 0x9E3779B97F4A7C15L + s.style().ordinal() * 7919L + 17;
    }

    // ---------------------------------------------------------------- styles

    private static Rendered flat(Scene s, List<Backdrop.Layer> layers) {
        int[] rgb = paint(s, layers, SIZE, true, c -> c, c -> c);
        return new Rendered(rgb, labels(ids(s, layers, SIZE)));
    }

    private static Rendered watercolour(Scene s, List<Backdrop.Layer> layers) {
        long seed = styleSeed(s);
        int n = SIZE * SIZE;
        int[] base = paint(s, layers, SIZE, true, c -> Pixels.mix(c, 0xFFFFFF, 0.3), c -> Pixels.mix(c, 0xFFFFFF, 0.18));
        int[] id0 = ids(s, layers, SIZE);
        // 1. warp paint (bilinear) and ids (nearest) by one smooth displacement field: wobbly hand-painted edges
        float[] wx = Pixels.noiseField(seed + 1, SIZE, SIZE, 13);
        float[] wy = Pixels.noiseField(seed + 2, SIZE, SIZE, 13);
        float[][] src = Pixels.planes(base);
        float[][] p = new float[3][n];
        int[] id = new int[n];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int i = y * SIZE + x;
                double sx = Math.min(SIZE - 1.001, Math.max(0, x + (wx[i] - 0.5) * 4.5));
                double sy = Math.min(SIZE - 1.001, Math.max(0, y + (wy[i] - 0.5) * 4.5));
                int x0 = (int) sx;
                int y0 = (int) sy;
                double tx = sx - x0;
                double ty = sy - y0;
                int a = y0 * SIZE + x0;
                for (int c = 0; c < 3; c++) {
                    float[] q = src[c];
                    p[c][i] = (float) ((q[a] * (1 - tx) + q[a + 1] * tx) * (1 - ty)
                            + (q[a + SIZE] * (1 - tx) + q[a + SIZE + 1] * tx) * ty);
                }
                id[i] = id0[(int) Math.round(sy) * SIZE + (int) Math.round(sx)];
            }
        }
        // 2. pigment: rims where a wash meets another, uneven density inside (blooms)
        float[] bloom = Pixels.noiseField(seed + 3, SIZE, SIZE, 17);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int i = y * SIZE + x;
                double rim = differs(id, x, y, 1) ? 0.55 : differs(id, x, y, 2) ? 0.25 : 0;
                double density = (0.78 + 0.42 * bloom[i]) * (1 + rim);
                for (int c = 0; c < 3; c++) {
                    p[c][i] = (float) (255 - (255 - p[c][i]) * density);
                }
            }
        }
        // 3. soften, then paper grain and a warm paper tint
        for (int c = 0; c < 3; c++) {
            Pixels.blur(p[c], SIZE, SIZE, 1, 1);
        }
        for (int i = 0; i < n; i++) {
            double grain = 0.955 + 0.045 * Pixels.hash01(seed + 4, i, 0) + 0.03 * (wx[i] - 0.5);
            p[0][i] = (float) (p[0][i] * grain);
            p[1][i] = (float) (p[1][i] * grain * 0.99);
            p[2][i] = (float) (p[2][i] * grain * 0.965);
        }
        return new Rendered(Pixels.pack(p), labels(id));
    }

    /** Whether a pixel at distance {@code d} (4 directions) has another id. */
    private static boolean differs(int[] id, int x, int y, int d) {
        int v = id[y * SIZE + x];
        return (x >= d && id[y * SIZE + x - d] != v) || (x + d < SIZE && id[y * SIZE + x + d] != v)
                || (y >= d && id[(y - d) * SIZE + x] != v) || (y + d < SIZE && id[(y + d) * SIZE + x] != v);
    }

    private static Rendered pencil(Scene s, List<Backdrop.Layer> layers) {
        long seed = styleSeed(s);
        SplittableRandom r = new SplittableRandom(seed);
        int n = SIZE * SIZE;
        int[] base = paint(s, layers, SIZE, true, c -> c, c -> c);
        int[] id = ids(s, layers, SIZE);
        // 1. hatching: dense strokes on objects, light ones across them on the background
        double a1 = Math.toRadians(r.nextDouble(35, 60)) * (r.nextBoolean() ? 1 : -1);
        double a2 = a1 + Math.toRadians(r.nextDouble(75, 105));
        double c1 = Math.cos(a1);
        double s1 = Math.sin(a1);
        double c2 = Math.cos(a2);
        double s2 = Math.sin(a2);
        float[] wob = Pixels.noiseField(seed + 1, SIZE, SIZE, 9);
        int[] out = new int[n];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int i = y * SIZE + x;
                boolean obj = isObject(id[i]);
                double spacing = obj ? 3.0 : 4.5;
                double u = (obj ? x * c1 + y * s1 : x * c2 + y * s2) / spacing + 0.25 * wob[i];
                double v = obj ? -x * s1 + y * c1 : -x * s2 + y * c2;
                // strokes of varying length: each stroke line fades in and out along its length
                long line = (long) Math.floor(u + 0.5);
                double along = Pixels.noise1(seed + (obj ? 5 : 6), line, v, obj ? 14 : 9);
                double stripe = 0.5 + 0.5 * Math.cos(2 * Math.PI * u);
                stripe = stripe * stripe * stripe * Math.min(1, 0.35 + 1.3 * along);
                double grain = 0.75 + 0.45 * Pixels.hash01(seed + 2, x, y);
                double a = (obj ? 0.3 + 0.62 * stripe : 0.05 + 0.42 * stripe) * grain;
                out[i] = Pixels.mix(PAPER, base[i], Math.min(1, a));
            }
        }
        // 2. graphite outlines: region borders once and light, objects twice with jitter
        BufferedImage img = wrap(out, SIZE);
        Graphics2D g = graphics(img, true);
        for (int i = 1; i < layers.size(); i++) {
            Backdrop.Layer l = layers.get(i);
            g.setPaint(new Color(95, 95, 105, l.region() ? 150 : 110));
            g.setStroke(new BasicStroke(l.region() ? 1.0f : 0.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(l.shape());
        }
        g.setStroke(new BasicStroke(1.1f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (SceneObject o : s.objects()) {
            for (int k = 0; k < 2; k++) {
                AffineTransform t = new AffineTransform();
                t.translate(o.x() + r.nextDouble(-0.7, 0.7), o.y() + r.nextDouble(-0.7, 0.7));
                t.rotate(Math.toRadians(r.nextDouble(-2.5, 2.5)));
                t.translate(-o.x(), -o.y());
                t.concatenate(o.transform(128));
                g.setPaint(new Color(50, 50, 60, k == 0 ? 220 : 130));
                g.draw(t.createTransformedShape(o.cls().silhouette()));
                if (k == 0) {
                    for (Shape d : o.cls().details()) {
                        g.draw(t.createTransformedShape(d));
                    }
                }
            }
        }
        g.dispose();
        int[] px = rgbOf(img);
        for (int i = 0; i < n; i++) {
            double k = 0.97 + 0.05 * Pixels.hash01(seed + 3, i, 1);
            px[i] = Pixels.scale(px[i], k);
        }
        return new Rendered(px, labels(id));
    }

    private static Rendered pixel(Scene s, List<Backdrop.Layer> layers) {
        int gs = PIXEL_GRID;
        int[] base = paint(s, layers, gs, false, c -> c, c -> c);
        int[] id = ids(s, layers, gs);
        // 1. snap to the palette; the background dithered, objects flat
        int[] q = new int[gs * gs];
        for (int y = 0; y < gs; y++) {
            for (int x = 0; x < gs; x++) {
                int i = y * gs + x;
                double d = isObject(id[i]) ? 0 : (BAYER[y & 3][x & 3] / 16.0 - 0.47) * 28;
                int r6 = Pixels.clamp(Pixels.r(base[i]) + d) >> 2;
                int g6 = Pixels.clamp(Pixels.g(base[i]) + d) >> 2;
                int b6 = Pixels.clamp(Pixels.b(base[i]) + d) >> 2;
                q[i] = PIXEL_LUT[r6 << 12 | g6 << 6 | b6];
            }
        }
        // 2. dark outlines on the objects' border cells
        int[] o = q.clone();
        for (int y = 0; y < gs; y++) {
            for (int x = 0; x < gs; x++) {
                int i = y * gs + x;
                int v = id[i];
                if (!isObject(v)) {
                    continue;
                }
                boolean edge = x == 0 || y == 0 || x == gs - 1 || y == gs - 1 || id[i - 1] != v || id[i + 1] != v
                        || id[i - gs] != v || id[i + gs] != v;
                if (edge) {
                    SceneObject obj = s.objects().get(((v >> 8) & 0xFF) - 1);
                    o[i] = Pixels.scale(obj.colour().rgb(), 0.3);
                }
            }
        }
        // 3. nearest-neighbour upscale, cropped to 128
        int[] rgb = new int[SIZE * SIZE];
        byte[] lab = new byte[SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int j = (y / PIXEL_SCALE) * gs + x / PIXEL_SCALE;
                rgb[y * SIZE + x] = o[j];
                lab[y * SIZE + x] = (byte) id[j];
            }
        }
        return new Rendered(rgb, lab);
    }

    private static int nearest(double r, double g, double b) {
        int best = 0;
        double bestD = Double.MAX_VALUE;
        for (int c : PIXEL_PALETTE) {
            double dr = r - Pixels.r(c);
            double dg = g - Pixels.g(c);
            double db = b - Pixels.b(c);
            double d = 0.3 * dr * dr + 0.59 * dg * dg + 0.11 * db * db;
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    private static int[] pixelLut() {
        int[] lut = new int[1 << 18];
        for (int i = 0; i < lut.length; i++) {
            lut[i] = nearest(((i >> 12) << 2) + 2, (((i >> 6) & 63) << 2) + 2, ((i & 63) << 2) + 2);
        }
        return lut;
    }

    /** Object colours, their shades, and every background colour (gradient ends included). */
    private static int[] pixelPalette() {
        LinkedHashSet<Integer> p = new LinkedHashSet<>();
        for (Colour c : Colour.values()) {
            p.add(c.rgb());
            p.add(Pixels.shade(c.rgb()));
        }
        for (Background b : Background.values()) {
            for (Backdrop.Layer l : Backdrop.layers(b, 0)) {
                p.add(l.rgb());
                p.add(l.rgbBottom());
            }
        }
        return p.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The glowing version of a colour: full brightness and more saturation (greys stay grey, brown dimmer). */
    static int neon(int rgb) {
        float[] hsb = Color.RGBtoHSB(Pixels.r(rgb), Pixels.g(rgb), Pixels.b(rgb), null);
        if (hsb[1] < 0.15f) {
            return hsb[2] > 0.8f ? 0xEEF2FF : 0x9A9EAE;
        }
        float sat = Math.min(1f, hsb[1] * 1.1f + 0.1f);
        float val = hsb[2] < 0.55f ? hsb[2] * 1.25f : 1f;
        return Color.HSBtoRGB(hsb[0], sat, val) & 0xFFFFFF;
    }

    private static Rendered neon(Scene s, List<Backdrop.Layer> layers) {
        int n = SIZE * SIZE;
        // 1. the scene dark: background at a fifth of its brightness, objects nearly black inside
        List<Backdrop.Layer> regions = new ArrayList<>();
        for (Backdrop.Layer l : layers) {
            if (l.region()) {
                regions.add(l);
            }
        }
        int[] base = paint(s, regions, SIZE, true,
                c -> Pixels.rgb(Pixels.r(c) * 0.16, Pixels.g(c) * 0.16, Pixels.b(c) * 0.22 + 8),
                c -> Pixels.scale(neon(c), 0.13));
        int[] id = ids(s, layers, SIZE);
        // 2. the light: outlines of objects, dim horizons and decorations
        BufferedImage lightImg = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(lightImg, true);
        for (int i = 1; i < layers.size(); i++) {
            Backdrop.Layer l = layers.get(i);
            boolean star = l.stroke() == 0 && !l.region() && l.shape().getBounds2D().getWidth() < 3;
            g.setPaint(new Color(Pixels.scale(neon(l.rgb()), star ? 0.9 : l.region() ? 0.5 : 0.4)));
            if (star) {
                g.fill(l.shape());
            } else {
                g.setStroke(new BasicStroke(l.region() ? 1.3f : 1.0f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.draw(l.shape());
            }
        }
        for (SceneObject o : s.objects()) {
            int c = neon(o.colour().rgb());
            AffineTransform t = o.transform(128);
            g.setPaint(new Color(c));
            g.setStroke(new BasicStroke(2.0f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(t.createTransformedShape(o.cls().silhouette()));
            g.setPaint(new Color(Pixels.scale(c, 0.75)));
            g.setStroke(new BasicStroke(1.0f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            for (Shape d : o.cls().details()) {
                g.draw(t.createTransformedShape(d));
            }
        }
        g.dispose();
        float[][] light = Pixels.planes(rgbOf(lightImg));
        float[][] halo = new float[3][];
        for (int c = 0; c < 3; c++) {
            halo[c] = light[c].clone();
            Pixels.blur(halo[c], SIZE, SIZE, 3, 2);
        }
        // 3. add: dark scene + sharp light + halo, and a white-hot core where the light is strong
        float[][] p = Pixels.planes(base);
        for (int i = 0; i < n; i++) {
            double lum = (light[0][i] + light[1][i] + light[2][i]) / 765.0;
            double core = 110 * lum * lum;
            for (int c = 0; c < 3; c++) {
                p[c][i] = (float) (p[c][i] + light[c][i] + 1.9 * halo[c][i] + core);
            }
        }
        return new Rendered(Pixels.pack(p), labels(id));
    }
}
