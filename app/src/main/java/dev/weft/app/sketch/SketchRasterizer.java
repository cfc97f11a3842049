package dev.weft.app.sketch;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Replays a sketch's actions into a segmentation map in its palette's colours: no antialiasing (every pixel is
 * exactly one class), the background colour (black) for unlabelled. The pad shows the same picture, so what is
 * painted is what the engine reads.
 */
public final class SketchRasterizer {
    private SketchRasterizer() { }

    public static BufferedImage rasterize(Sketch s) {
        BufferedImage img = new BufferedImage(s.size(), s.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(s.palette().color(SegmentationPalette.UNLABELLED)));
            g.fillRect(0, 0, s.size(), s.size());
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            for (SketchOp op : s.ops()) {
                if (op instanceof SketchOp.Clear) {
                    g.setColor(new Color(s.palette().color(SegmentationPalette.UNLABELLED)));
                    g.fillRect(0, 0, s.size(), s.size());
                } else if (op instanceof SketchOp.Stroke st) {
                    draw(g, st, s.palette());
                } else if (op instanceof SketchOp.Fill f) {
                    fill(img, (int) f.x(), (int) f.y(), s.palette().color(f.label()));
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    static void draw(Graphics2D g, SketchOp.Stroke st, SegmentationPalette palette) {
        g.setColor(new Color(palette.color(st.eraser() ? SegmentationPalette.UNLABELLED : st.label())));
        float[] p = st.points();
        if (p.length == 2) {
            double r = st.size() / 2.0;
            g.fill(new Ellipse2D.Double(p[0] - r, p[1] - r, st.size(), st.size()));
            return;
        }
        g.setStroke(new BasicStroke(st.size(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Float path = new Path2D.Float();
        path.moveTo(p[0], p[1]);
        for (int i = 2; i < p.length; i += 2) {
            path.lineTo(p[i], p[i + 1]);
        }
        g.draw(path);
    }

    /** 4-connected flood fill of the region of (x, y)'s colour. */
    static void fill(BufferedImage img, int x, int y, int rgb) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (x < 0 || y < 0 || x >= w || y >= h) {
            return;
        }
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        int target = px[y * w + x] & 0xFFFFFF;
        int color = rgb & 0xFFFFFF;
        if (target == color) {
            return;
        }
        int[] stack = new int[w * h];
        int top = 0;
        stack[top++] = y * w + x;
        px[y * w + x] = color;
        while (top > 0) {
            int i = stack[--top];
            int cx = i % w;
            int cy = i / w;
            if (cx > 0 && (px[i - 1] & 0xFFFFFF) == target) {
                px[i - 1] = color;
                stack[top++] = i - 1;
            }
            if (cx < w - 1 && (px[i + 1] & 0xFFFFFF) == target) {
                px[i + 1] = color;
                stack[top++] = i + 1;
            }
            if (cy > 0 && (px[i - w] & 0xFFFFFF) == target) {
                px[i - w] = color;
                stack[top++] = i - w;
            }
            if (cy < h - 1 && (px[i + w] & 0xFFFFFF) == target) {
                px[i + w] = color;
                stack[top++] = i + w;
            }
        }
    }
}
