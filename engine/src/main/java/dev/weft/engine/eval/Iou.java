package dev.weft.engine.eval;

/**
 * Mean intersection over union of label maps, accumulated over a data set as for ADE20K: per class, the
 * intersections and unions of every map pair are summed, then IoU = I / U per class and mIoU is the mean over the
 * classes that occur (U > 0) in the truth or the prediction of any pair. Background (class 0) counts as a class.
 */
public final class Iou {
    private final long[] inter;
    private final long[] union;

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
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i] & 0xFF;
            int p = predicted[i] & 0xFF;
            if (t >= n || p >= n) {
                throw new IllegalArgumentException("label maps: class id " + Math.max(t, p) + " >= " + n);
            }
            if (t == p) {
                inter[t]++;
                union[t]++;
            } else {
                union[t]++;
                union[p]++;
            }
        }
    }

    /** IoU of class k (NaN when it never occurred). */
    public double iou(int k) {
        return union[k] == 0 ? Double.NaN : inter[k] / (double) union[k];
    }

    public double mean() {
        double s = 0;
        int c = 0;
        for (int k = 0; k < inter.length; k++) {
            if (union[k] > 0) {
                s += iou(k);
                c++;
            }
        }
        return c == 0 ? Double.NaN : s / c;
    }
}
