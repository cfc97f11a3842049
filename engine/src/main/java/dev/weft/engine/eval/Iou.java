package dev.weft.engine.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mean intersection over union of label maps, accumulated over a data set as for ADE20K: per class, the
 * intersections and unions of every map pair are summed, then IoU = I / U per class and mIoU is the mean over the
 * classes that occur (U > 0) in the truth or the prediction of any pair. Background (class 0) counts as a class.
 * Each pair's counts are kept too, for {@link #bootstrapSe}.
 */
public final class Iou {
    private final long[] inter;
    private final long[] union;
    private final List<long[][]> pairs = new ArrayList<>(); // per pair {inter (K), union (K)}

    public Iou(int classes) {
        inter = new long[classes];
        union = new long[classes];
    }

    /** Adds one pair of maps of equal size (class ids, unsigned bytes). */
    public void add(byte[] truth, byte[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("label maps: expected equal sizes, found " + truth.length + " and "
                    + predicted.length);
        }
        int n = inter.length;
        long[] pi = new long[n];
        long[] pu = new long[n];
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i] & 0xFF;
            int p = predicted[i] & 0xFF;
            if (t >= n || p >= n) {
                throw new IllegalArgumentException("label maps: class id " + Math.max(t, p) + " >= " + n);
            }
            if (t == p) {
                pi[t]++;
                pu[t]++;
            } else {
                pu[t]++;
                pu[p]++;
            }
        }
        for (int k = 0; k < n; k++) {
            inter[k] += pi[k];
            union[k] += pu[k];
        }
        pairs.add(new long[][] {pi, pu});
    }

    /** IoU of class k (NaN when it never occurred). */
    public double iou(int k) {
        return union[k] == 0 ? Double.NaN : inter[k] / (double) union[k];
    }

    public double mean() {
        return mean(inter, union);
    }

    private static double mean(long[] inter, long[] union) {
        double s = 0;
        int c = 0;
        for (int k = 0; k < inter.length; k++) {
            if (union[k] > 0) {
                s += inter[k] / (double) union[k];
                c++;
            }
        }
        return c == 0 ? Double.NaN : s / c;
    }

    /**
     * Bootstrap standard error of {@link #mean}: its standard deviation over {@code reps} redraws, with replacement,
     * of as many map pairs as were added. NaN for fewer than two pairs.
     */
    public double bootstrapSe(int reps, long seed) {
        int m = pairs.size();
        if (m < 2) {
            return Double.NaN;
        }
        SplittableRandom r = new SplittableRandom(seed);
        int n = inter.length;
        double[] means = new double[reps];
        int got = 0;
        for (int b = 0; b < reps; b++) {
            long[] bi = new long[n];
            long[] bu = new long[n];
            for (int j = 0; j < m; j++) {
                long[][] p = pairs.get(r.nextInt(m));
                for (int k = 0; k < n; k++) {
                    bi[k] += p[0][k];
                    bu[k] += p[1][k];
                }
            }
            double v = mean(bi, bu);
            if (!Double.isNaN(v)) {
                means[got++] = v;
            }
        }
        return Bootstrap.sd(means, got);
    }
}
