package dev.weft.engine.world;

import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.List;

/**
 * Object classes. Each has its word, its segmentation class id (1..12; 0 is the background, see {@link Palette}),
 * the RGB of its class in the colour-coded map, and a silhouette in unit coordinates (centre 0, radius about 1, y
 * down). {@link #details()} are parts drawn in a darker shade of the object's colour inside the silhouette (a door,
 * an eye, wheels); they belong to the object in the segmentation map. {@link #maxTilt()} is how far (degrees) an
 * object may be rotated; {@link #mirrors()} says whether it may face either way.
 */
public enum ObjectClass {
    CIRCLE("circle", 0xE6194B, 0, false),
    SQUARE("square", 0x3CB44B, 15, false),
    TRIANGLE("triangle", 0xFFE119, 10, false),
    STAR("star", 0x0082C8, 18, false),
    HEART("heart", 0xF58231, 12, false),
    MOON("moon", 0x911EB4, 20, true),
    HOUSE("house", 0x46F0F0, 0, true),
    TREE("tree", 0xF032E6, 0, true),
    FISH("fish", 0xD2F53C, 8, true),
    CAR("car", 0xFABED4, 0, true),
    BOAT("boat", 0x008080, 0, true),
    FLOWER("flower", 0xDCBEFF, 30, false);

    private final String word;
    private final int mapRgb;
    private final double maxTilt;
    private final boolean mirrors;

    ObjectClass(String word, int mapRgb, double maxTilt, boolean mirrors) {
        this.word = word;
        this.mapRgb = mapRgb;
        this.maxTilt = maxTilt;
        this.mirrors = mirrors;
    }

    public String word() {
        return word;
    }

    /** Segmentation class id: ordinal + 1 (0 is the background). */
    public int classId() {
        return ordinal() + 1;
    }

    /** Colour of this class in the colour-coded segmentation map, 0xRRGGBB. */
    public int mapRgb() {
        return mapRgb;
    }

    public double maxTilt() {
        return maxTilt;
    }

    public boolean mirrors() {
        return mirrors;
    }

    public static ObjectClass ofWord(String w) {
        for (ObjectClass c : values()) {
            if (c.word.equals(w)) {
                return c;
            }
        }
        return null;
    }

    public static ObjectClass ofClassId(int id) {
        return id >= 1 && id <= values().length ? values()[id - 1] : null;
    }

    /** The outline in unit coordinates (shared: callers must not mutate it; transform copies). */
    public Shape silhouette() {
        return Geometry.SILHOUETTES[ordinal()];
    }

    /** Parts in a darker shade, inside the silhouette. */
    public List<Shape> details() {
        return Geometry.DETAILS.get(ordinal());
    }

    /** Built once, after the enum constants exist. */
    private static final class Geometry {
        static final Shape[] SILHOUETTES = new Shape[values().length];
        static final List<List<Shape>> DETAILS;

        static {
            List<List<Shape>> d = new java.util.ArrayList<>();
            for (ObjectClass c : values()) {
                Shape[] parts = c.build();
                // Path2D copies: cheap to iterate and safe to share between threads
                SILHOUETTES[c.ordinal()] = new Path2D.Double(parts[0]);
                List<Shape> ds = new java.util.ArrayList<>();
                for (int i = 1; i < parts.length; i++) {
                    ds.add(new Path2D.Double(parts[i]));
                }
                d.add(List.copyOf(ds));
            }
            DETAILS = List.copyOf(d);
        }
    }

    /** The silhouette, then the detail parts. */
    private Shape[] build() {
        return switch (this) {
            case CIRCLE -> set(circle(0, 0, 1));
            case SQUARE -> set(new RoundRectangle2D.Double(-0.85, -0.85, 1.7, 1.7, 0.25, 0.25));
            case TRIANGLE -> set(poly(0, -0.95, 1.0, 0.8, -1.0, 0.8));
            case STAR -> {
                Path2D.Double p = new Path2D.Double();
                for (int i = 0; i < 10; i++) {
                    double r = i % 2 == 0 ? 1.0 : 0.45;
                    double a = -Math.PI / 2 + i * Math.PI / 5;
                    double x = r * Math.cos(a);
                    double y = r * Math.sin(a) + 0.1;
                    if (i == 0) {
                        p.moveTo(x, y);
                    } else {
                        p.lineTo(x, y);
                    }
                }
                p.closePath();
                yield set(p);
            }
            case HEART -> {
                Path2D.Double p = new Path2D.Double();
                p.moveTo(0, 0.95);
                p.curveTo(-0.3, 0.7, -1.0, 0.3, -1.0, -0.3);
                p.curveTo(-1.0, -0.85, -0.35, -1.1, 0, -0.55);
                p.curveTo(0.35, -1.1, 1.0, -0.85, 1.0, -0.3);
                p.curveTo(1.0, 0.3, 0.3, 0.7, 0, 0.95);
                p.closePath();
                yield set(p);
            }
            case MOON -> {
                Area a = new Area(circle(0, 0, 1));
                a.subtract(new Area(circle(0.5, -0.3, 0.85)));
                yield set(a);
            }
            case HOUSE -> {
                Area a = new Area(new Rectangle2D.Double(-0.75, -0.15, 1.5, 1.1));
                a.add(new Area(poly(-1.0, -0.1, 0, -1.0, 1.0, -0.1)));
                yield set(a, new Rectangle2D.Double(-0.5, 0.35, 0.38, 0.6),
                        new Rectangle2D.Double(0.15, 0.15, 0.35, 0.32));
            }
            case TREE -> {
                Area a = new Area(new Ellipse2D.Double(-0.85, -1.0, 1.7, 1.4));
                Rectangle2D trunk = new Rectangle2D.Double(-0.18, 0.2, 0.36, 0.8);
                a.add(new Area(trunk));
                Area t = new Area(trunk);
                t.subtract(new Area(new Ellipse2D.Double(-0.85, -1.0, 1.7, 1.4)));
                yield set(a, t);
            }
            case FISH -> {
                Area a = new Area(new Ellipse2D.Double(-1.0, -0.55, 1.5, 1.1));
                a.add(new Area(poly(0.3, 0, 1.0, -0.6, 1.0, 0.6)));
                yield set(a, circle(-0.58, -0.12, 0.13));
            }
            case CAR -> {
                Area a = new Area(new RoundRectangle2D.Double(-1.0, -0.25, 2.0, 0.65, 0.3, 0.3));
                a.add(new Area(poly(-0.6, -0.2, -0.35, -0.7, 0.35, -0.7, 0.6, -0.2)));
                a.add(new Area(circle(-0.55, 0.45, 0.3)));
                a.add(new Area(circle(0.55, 0.45, 0.3)));
                yield set(a, circle(-0.55, 0.45, 0.3), circle(0.55, 0.45, 0.3));
            }
            case BOAT -> {
                Area a = new Area(poly(-1.0, 0.35, 1.0, 0.35, 0.7, 0.85, -0.7, 0.85));
                a.add(new Area(new Rectangle2D.Double(-0.08, -1.0, 0.16, 1.4)));
                a.add(new Area(poly(0.08, -0.95, 0.08, 0.25, 0.85, 0.25)));
                a.add(new Area(poly(-0.08, -0.65, -0.08, 0.25, -0.65, 0.25)));
                yield set(a, poly(-1.0, 0.35, 1.0, 0.35, 0.7, 0.85, -0.7, 0.85));
            }
            case FLOWER -> {
                Area a = new Area();
                for (int i = 0; i < 6; i++) {
                    double ang = i * Math.PI / 3;
                    a.add(new Area(circle(0.58 * Math.cos(ang), 0.58 * Math.sin(ang), 0.42)));
                }
                a.add(new Area(circle(0, 0, 0.4)));
                yield set(a, circle(0, 0, 0.36));
            }
        };
    }

    private static Shape[] set(Shape s, Shape... parts) {
        Shape[] all = new Shape[parts.length + 1];
        all[0] = s;
        System.arraycopy(parts, 0, all, 1, parts.length);
        return all;
    }

    private static Ellipse2D circle(double cx, double cy, double r) {
        return new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
    }

    private static Path2D poly(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }
}
