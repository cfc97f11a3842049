package dev.weft.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.image.Images;
import dev.weft.engine.world.Colour;
import dev.weft.engine.world.ObjectClass;
import dev.weft.engine.world.Position;
import dev.weft.engine.world.Style;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * What the evaluator sees in a picture: the per-pixel class and colour maps (64 x 64), the style, and the objects
 * ({@link #objects}: connected pieces of one class, merged per grid cell, of at least {@link #MIN_AREA} pixels),
 * each with the majority colour of its pixels and the grid cell of its bounding-box centre.
 *
 * <p>Any picture is first brought to 128 x 128 ({@link Images#resizeCenterCrop}), so 64-pixel decoder outputs are
 * read the same way as 128-pixel renders.
 */
public final class SceneReader implements AutoCloseable {
    /** Smallest component kept, in pixels of the 64 x 64 grid (a small object covers about 25 to 110). */
    public static final int MIN_AREA = 8;
    /** Cell borders on the 128-pixel layout: midway between the cell centres 28, 64 and 100. */
    static final double BORDER_LOW = 46;
    static final double BORDER_HIGH = 82;

    /** An object found: its class, colour (null when no pixel has one), cell, area (64-grid pixels), bbox centre (128 px). */
    public record Found(ObjectClass cls, Colour colour, Position position, int area, double x, double y) { }

    /** The evaluator's reading of one picture: maps (row-major, 64 x 64), style and objects. */
    public record Seen(byte[] classes, byte[] colours, Style style, List<Found> objects) { }

    private final EvalNet net;
    private final NDManager manager;

    public SceneReader(EvalNet net, NDManager parent) {
        this.net = net;
        this.manager = parent.newSubManager();
    }

    public EvalNet net() {
        return net;
    }

    public Seen read(BufferedImage image) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = Images.toTensor(m, image, EvalNet.INPUT);                 // (1, 3, 128, 128)
            EvalNet.Output o = net.forward(x);
            byte[] cls = argmax(o.cls());
            byte[] col = argmax(o.colour());
            int style = (int) o.style().argMax(1).toLongArray()[0];
            return new Seen(cls, col, Style.values()[style], objects(cls, col));
        }
    }

    /** Per-pixel argmax over channels of (1, K, 64, 64) logits, row-major. */
    private static byte[] argmax(NDArray logits) {
        long[] a = logits.argMax(1).toLongArray();                               // (1, 64, 64)
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) a[i];
        }
        return out;
    }

    /** A connected piece of one class: area, bounding box (64 grid), colour votes. */
    private static final class Piece {
        final int cls;
        int area;
        int minX = Integer.MAX_VALUE, minY = Integer.MAX_VALUE, maxX = -1, maxY = -1;
        final int[] votes = new int[EvalNet.COLOURS];

        Piece(int cls) {
            this.cls = cls;
        }

        /** Bounding-box centre on the 128-pixel layout (64-grid pixel i covers [2i, 2i + 2)). */
        double x() {
            return minX + maxX + 1;
        }

        double y() {
            return minY + maxY + 1;
        }

        void absorb(Piece o) {
            area += o.area;
            minX = Math.min(minX, o.minX);
            minY = Math.min(minY, o.minY);
            maxX = Math.max(maxX, o.maxX);
            maxY = Math.max(maxY, o.maxY);
            for (int c = 0; c < votes.length; c++) {
                votes[c] += o.votes[c];
            }
        }
    }

    /**
     * The objects of a class map (64 x 64) and a colour map: connected pieces of each class (8-connected), pieces of
     * one class whose bounding-box centres fall in one grid cell merged into one object (a scene holds at most one
     * object per cell, and some silhouettes come apart at 64 x 64: a boat's sail and hull), objects smaller than
     * {@link #MIN_AREA} dropped; each with the majority colour of its pixels and the cell of its bounding-box centre.
     */
    public static List<Found> objects(byte[] classes, byte[] colours) {
        int n = EvalNet.OUTPUT;
        if (classes.length != n * n || colours.length != n * n) {
            throw new IllegalArgumentException("maps: expected " + n + " x " + n + ", found " + classes.length
                    + " and " + colours.length + " values");
        }
        boolean[] seen = new boolean[n * n];
        int[] stack = new int[n * n];
        java.util.Map<Long, Piece> merged = new java.util.LinkedHashMap<>();
        for (int start = 0; start < n * n; start++) {
            int k = classes[start];
            if (k == 0 || seen[start]) {
                continue;
            }
            Piece piece = new Piece(k);
            int sp = 0;
            stack[sp++] = start;
            seen[start] = true;
            while (sp > 0) {
                int p = stack[--sp];
                int px = p % n;
                int py = p / n;
                piece.area++;
                piece.minX = Math.min(piece.minX, px);
                piece.maxX = Math.max(piece.maxX, px);
                piece.minY = Math.min(piece.minY, py);
                piece.maxY = Math.max(piece.maxY, py);
                piece.votes[colours[p]]++;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int qx = px + dx;
                        int qy = py + dy;
                        if (qx < 0 || qy < 0 || qx >= n || qy >= n) {
                            continue;
                        }
                        int q = qy * n + qx;
                        if (!seen[q] && classes[q] == k) {
                            seen[q] = true;
                            stack[sp++] = q;
                        }
                    }
                }
            }
            long key = (long) k * 16 + cell(piece.x(), piece.y()).ordinal();
            Piece into = merged.get(key);
            if (into == null) {
                merged.put(key, piece);
            } else {
                into.absorb(piece);
            }
        }
        List<Found> out = new ArrayList<>();
        for (Piece p : merged.values()) {
            if (p.area < MIN_AREA) {
                continue;
            }
            int best = -1;
            for (int c = 0; c < EvalNet.NO_COLOUR; c++) {
                if (p.votes[c] > 0 && (best < 0 || p.votes[c] > p.votes[best])) {
                    best = c;
                }
            }
            out.add(new Found(ObjectClass.ofClassId(p.cls), best < 0 ? null : Colour.values()[best],
                    cell(p.x(), p.y()), p.area, p.x(), p.y()));
        }
        return out;
    }

    /** The grid cell of a point on the 128-pixel layout. */
    public static Position cell(double x, double y) {
        int col = x < BORDER_LOW ? 0 : x < BORDER_HIGH ? 1 : 2;
        int row = y < BORDER_LOW ? 0 : y < BORDER_HIGH ? 1 : 2;
        for (Position p : Position.values()) {
            if (p.column() == col && p.row() == row) {
                return p;
            }
        }
        throw new IllegalStateException();
    }

    @Override
    public void close() {
        manager.close();
    }
}
