package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;

/**
 * Resizing that matches PyTorch's {@code F.interpolate} (align_corners=False, no antialias), the one place for it.
 * DJL's {@code interpolation} (PyTorch engine 0.35.1) antialiases bilinear and bicubic resizing and ignores
 * {@code alignCorners}: bicubic is therefore written as products with torch's interpolation matrices, halving as a
 * 2x2 average pool, and only bilinear upsampling (where antialiasing changes nothing) goes through DJL.
 *
 * <p>Dimensions: B batch, C channels, H, W input size.
 */
public final class Resize {
    /**
     * DJL's interpolation mode code for bilinear: PtNDArrayEx maps 0 nearest, 1 bilinear, 2 area, 3 bicubic
     * (the codes of ai.djl.modality.cv.Image.Interpolation). Code 2 is AREA, not bilinear.
     */
    private static final int BILINEAR = 1;

    private Resize() { }

    /**
     * {@code F.interpolate(x, size=(outH, outW), mode="bicubic", align_corners=False)} (no antialias), separably
     * with the matrices of {@link #bicubicMatrix}.
     *
     * @param x (B, C, H, W)
     * @return (B, C, outH, outW)
     */
    public static NDArray bicubic(NDArray x, int outH, int outW) {
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("bicubic input: expected (B, C, H, W), found " + s);
        }
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        NDManager m = x.getManager();
        NDArray wh = Ops.like(m.create(bicubicMatrix(h, outH), new Shape(outH, h)), x);  // (outH, H)
        NDArray ww = Ops.like(m.create(bicubicMatrix(w, outW), new Shape(outW, w)), x);  // (outW, W)
        return wh.matMul(x).matMul(ww.transpose());                          // (B, C, outH, outW)
    }

    /**
     * Row-major (out, in) matrix of torch's {@code upsample_bicubic2d} weights along one axis (align_corners=False,
     * no antialias): source index {@code scale * (i + 0.5) - 0.5} with {@code scale = in / out} rounded to float32
     * and the rest in double (as libtorch's CPU kernel: a float32 scale, wider arithmetic; for sizes with a
     * power-of-two ratio every rounding choice gives the same weights), Keys' cubic convolution with A = -0.75 at
     * the four neighbours, each weight rounded to float32, neighbour indices clamped to the border (the weights of
     * clamped duplicates add up).
     */
    public static float[] bicubicMatrix(int in, int out) {
        float[] mat = new float[out * in];
        double scale = (float) in / out;
        for (int i = 0; i < out; i++) {
            double src = scale * (i + 0.5) - 0.5;
            int x0 = (int) Math.floor(src);
            double t = src - x0;
            double[] c = {cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)};
            for (int k = 0; k < 4; k++) {
                int idx = Math.min(Math.max(x0 - 1 + k, 0), in - 1);
                mat[i * in + idx] += (float) c[k];
            }
        }
        return mat;
    }

    private static double cubicNear(double x) { // |x| <= 1
        final double a = -0.75;
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    private static double cubicFar(double x) {  // 1 < |x| < 2
        final double a = -0.75;
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }

    /**
     * {@code F.interpolate(x, size=(outH, outW), mode="bilinear", align_corners=False)} for upsampling only
     * (DJL's bilinear antialiases when it shrinks, unlike torch's default). Interpolates in fp32 (libtorch's CPU
     * kernel has no fp16 bilinear) and returns x's type.
     *
     * @param x (B, C, H, W) with H <= outH, W <= outW
     * @return (B, C, outH, outW)
     */
    public static NDArray bilinearUp(NDArray x, long outH, long outW) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(2) > outH || s.get(3) > outW) {
            throw new IllegalArgumentException("bilinear upsampling to " + outH + "x" + outW
                    + ": expected (B, C, H, W) no larger, found " + s);
        }
        return Ops.fp32(x).getNDArrayInternal().interpolation(new long[] {outH, outW}, BILINEAR, false)
                .toType(x.getDataType(), false);                              // (B, C, outH, outW)
    }

    /**
     * 2x2 average, {@code F.avg_pool2d(x, 2)}; also exactly {@code F.interpolate(x, scale_factor=0.5,
     * mode="bilinear", align_corners=False)} (source coordinate {@code 2i + 0.5}: the mean of each 2x2 block).
     *
     * @param x (B, C, H, W)
     * @return (B, C, H/2, W/2)
     */
    public static NDArray half(NDArray x) {
        return Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true); // (B, C, H/2, W/2)
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
            cur = half(cur);                                                  // (B, C, S/2, S/2)
        }
        if (cur.getShape().get(3) != size) {
            cur = bicubic(cur, size, size);                                   // (B, C, size, size)
        }
        return cur;
    }
}
