package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Resizing that matches PyTorch exactly. DJL's {@code interpolation} antialiases and ignores align_corners, so it
 * is not {@code F.interpolate}; these are written as products with interpolation matrices instead.
 */
public final class Resize {
    private Resize() { }

    /**
     * {@code F.interpolate(x, size=(outH, outW), mode="bicubic", align_corners=False)} (no antialias): cubic
     * convolution with A = -0.75, source index {@code (i + 0.5) * in / out - 0.5}, edge indices clamped.
     *
     * @param x (B, C, H, W)
     * @return (B, C, outH, outW)
     */
    public static NDArray bicubic(NDArray x, int outH, int outW) {
        Shape s = x.getShape();
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        NDManager m = x.getManager();
        NDArray wh = m.create(bicubicMatrix(h, outH), new Shape(outH, h));  // (outH, H)
        NDArray ww = m.create(bicubicMatrix(w, outW), new Shape(outW, w));  // (outW, W)
        return wh.matMul(x).matMul(ww.transpose());                          // (B, C, outH, outW)
    }

    /** Row-major (out, in) matrix of torch's bicubic weights along one axis. */
    public static float[] bicubicMatrix(int in, int out) {
        float[] mat = new float[out * in];
        double scale = in / (double) out;
        for (int i = 0; i < out; i++) {
            double src = (i + 0.5) * scale - 0.5;
            int x0 = (int) Math.floor(src);
            double t = src - x0;
            double[] c = cubicCoefficients(t);
            for (int k = 0; k < 4; k++) {
                int idx = Math.min(Math.max(x0 - 1 + k, 0), in - 1);
                mat[i * in + idx] += (float) c[k];
            }
        }
        return mat;
    }

    private static double[] cubicCoefficients(double t) {
        double a = -0.75;
        double x1 = t + 1;
        double x2 = t;
        double x3 = 1 - t;
        double x4 = 2 - t;
        return new double[] {
            ((a * x1 - 5 * a) * x1 + 8 * a) * x1 - 4 * a,
            ((a + 2) * x2 - (a + 3)) * x2 * x2 + 1,
            ((a + 2) * x3 - (a + 3)) * x3 * x3 + 1,
            ((a * x4 - 5 * a) * x4 + 8 * a) * x4 - 4 * a,
        };
    }

    /**
     * A generated image to the encoder's input size, as the reference's transform does it: halve with a 2x2 box
     * filter while the side is at least twice the target, then bicubic to the target.
     *
     * @param x (B, C, S, S)
     * @return (B, C, size, size)
     */
    public static NDArray forEncoder(NDArray x, int size) {
        NDArray cur = x;
        while (cur.getShape().get(3) >= 2L * size) {
            Shape s = cur.getShape();
            long b = s.get(0);
            long c = s.get(1);
            long h = s.get(2);
            long w = s.get(3);
            cur = cur.reshape(b, c, h / 2, 2, w / 2, 2).mean(new int[] {5}).mean(new int[] {3}); // (B, C, H/2, W/2)
        }
        if (cur.getShape().get(3) != size) {
            cur = bicubic(cur, size, size);
        }
        return cur;
    }
}
