package dev.weft.engine.world;

import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A background as layers in the 128x128 layout space: filled regions (sky, ground, sea) with an optional vertical
 * gradient, and decorations (clouds, stars, tufts, waves). Every style draws these same layers its own way.
 */
final class Backdrop {
    /** One layer. {@code stroke} 0 fills the shape, else strokes it with that width; {@code region} says whether
     * it is one of the large regions (sky, ground) that styles outline and wash as a unit. */
    record Layer(Shape shape, int rgb, int rgbBottom, double stroke, boolean region) {
        boolean gradient() {
            return rgb != rgbBottom;
        }
    }

    private Backdrop() { }

    static List<Layer> layers(Background bg, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<Layer> out = new ArrayList<>();
        switch (bg) {
            case GRASS -> {
                out.add(region(all(), 0x9CCFF0, 0xC8E6F8));
                out.add(region(ground(r, 58, 4), 0x6DB84E, 0x4E9A38));
                for (int i = 0; i < 14; i++) {
                    double x = r.nextDouble(4, 124);
                    double y = r.nextDouble(70, 124);
                    Path2D.Double p = new Path2D.Double();
                    p.moveTo(x - 3, y - 4);
                    p.lineTo(x, y);
                    p.lineTo(x + 3, y - 5);
                    out.add(stroke(p, 0x3F7F2C, 1.2));
                }
            }
            case SKY -> {
                out.add(region(all(), 0x4F98E6, 0xB9DCFA));
                int clouds = 2 + r.nextInt(2);
                for (int i = 0; i < clouds; i++) {
                    out.add(fill(cloud(r, r.nextDouble(10, 118), r.nextDouble(12, 116)), 0xF6F9FC));
                }
            }
            case SAND -> {
                out.add(region(all(), 0xAFD7F0, 0xD2E9F7));
                out.add(region(new Rectangle2D.Double(0, 34, 128, 20), 0x3C8CC8, 0x3C8CC8));
                out.add(region(ground(r, 50, 3), 0xEBD296, 0xE0C080));
                Path2D.Double dune = new Path2D.Double();
                double y0 = r.nextDouble(86, 100);
                dune.moveTo(0, y0);
                dune.curveTo(40, y0 - 14, 80, y0 + 12, 128, y0 - 6);
                out.add(stroke(dune, 0xC9A45E, 1.6));
            }
            case WATER -> {
                out.add(region(all(), 0xB9DCF5, 0xDCEEFA));
                out.add(region(ground(r, 36, 1.5), 0x3278B4, 0x1E5A96));
                for (int i = 0; i < 12; i++) {
                    double x = r.nextDouble(0, 120);
                    double y = r.nextDouble(46, 124);
                    out.add(stroke(new QuadCurve2D.Double(x, y, x + 5, y - 4, x + 10, y), 0x8CC3E6, 1.3));
                }
            }
            case SNOW -> {
                out.add(region(all(), 0xBCCCE0, 0xDCE6F0));
                out.add(region(ground(r, 60, 5), 0xF8FAFD, 0xE6EDF5));
                for (int i = 0; i < 4; i++) {
                    double x = r.nextDouble(0, 110);
                    double y = r.nextDouble(80, 118);
                    out.add(fill(new Ellipse2D.Double(x, y, r.nextDouble(18, 34), 5), 0xD2DCEB));
                }
                for (int i = 0; i < 26; i++) {
                    double d = r.nextDouble(1.4, 2.6);
                    out.add(fill(new Ellipse2D.Double(r.nextDouble(0, 126), r.nextDouble(0, 56), d, d), 0xFFFFFF));
                }
            }
            case NIGHT -> {
                out.add(region(all(), 0x0C1030, 0x2E2A5A));
                for (int i = 0; i < 34; i++) {
                    double d = r.nextDouble(0.9, 2.2);
                    out.add(fill(new Ellipse2D.Double(r.nextDouble(0, 126), r.nextDouble(0, 96), d, d), 0xFFF8D8));
                }
                out.add(region(ground(r, 106, 5), 0x1A2433, 0x121A26));
            }
            default -> throw new IllegalStateException(bg.name());
        }
        return out;
    }

    private static Shape all() {
        return new Rectangle2D.Double(-2, -2, 132, 132);
    }

    /** The area below a gently wavy horizon at {@code y} (amplitude {@code amp}). */
    private static Shape ground(SplittableRandom r, double y, double amp) {
        double phase = r.nextDouble(0, 2 * Math.PI);
        double freq = r.nextDouble(1.0, 2.2);
        Path2D.Double p = new Path2D.Double();
        p.moveTo(-2, 130);
        for (int x = -2; x <= 130; x += 4) {
            p.lineTo(x, y + amp * Math.sin(phase + freq * x * Math.PI / 128));
        }
        p.lineTo(130, 130);
        p.closePath();
        return p;
    }

    private static Shape cloud(SplittableRandom r, double cx, double cy) {
        double w = r.nextDouble(22, 34);
        Area a = new Area(new Ellipse2D.Double(cx - w / 2, cy - 4, w, 9));
        for (int k = 0; k < 3; k++) {
            double d = r.nextDouble(8, 13);
            double x = cx - w / 3 + k * w / 3 - d / 2 + r.nextDouble(-2, 2);
            a.add(new Area(new Ellipse2D.Double(x, cy - d + 2, d, d)));
        }
        return new Path2D.Double(a);
    }

    private static Layer region(Shape s, int top, int bottom) {
        return new Layer(s, top, bottom, 0, true);
    }

    private static Layer fill(Shape s, int rgb) {
        return new Layer(s, rgb, rgb, 0, false);
    }

    private static Layer stroke(Shape s, int rgb, double width) {
        return new Layer(s, rgb, rgb, width, false);
    }
}
