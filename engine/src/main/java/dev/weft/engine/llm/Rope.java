package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.nn.Ops;

/**
 * Rotary position embedding, HF LLaMA's convention ({@code modeling_llama_mmfs.py} {@code FixedLlamaRotaryEmbedding},
 * {@code rotate_half}, {@code apply_rotary_pos_emb}): the head is split in two halves, frequency i of both halves is
 * {@code 1 / theta^(2i / Dh)}, and {@code x' = x cos + rotate_half(x) sin} with {@code rotate_half([a, b]) = [-b, a]}.
 *
 * <p>Dimensions: B batch, H heads, T tokens, Dh head width. The angles are computed in fp32 as the reference's
 * table ({@code float(position) * inv_freq} in fp32), so any position id works (no maximum length).
 */
public final class Rope {
    private final int headDim;
    private final double theta;
    private float[] invFreq; // (Dh/2), computed on first use

    public Rope(int headDim, double theta) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("headDim: expected an even size, found " + headDim);
        }
        this.headDim = headDim;
        this.theta = theta;
    }

    private float[] invFreq() {
        if (invFreq == null) {
            float[] f = new float[headDim / 2];
            for (int i = 0; i < f.length; i++) {
                float exponent = (float) (2 * i) / headDim;            // fp32, as arange(0, Dh, 2).float() / Dh
                f[i] = 1.0f / (float) Math.pow(theta, exponent);
            }
            invFreq = f;
        }
        return invFreq;
    }

    /**
     * cos and sin tables for the given positions.
     *
     * @param positions (B, T) int64 position ids
     * @return {cos, sin}, each (B, 1, T, Dh), on the positions' manager
     */
    public NDArray[] cosSin(NDArray positions) {
        Shape s = positions.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("positionIds: expected (B, T), found " + s);
        }
        long[] pos = positions.toLongArray();
        float[] inv = invFreq();
        int half = headDim / 2;
        float[] cos = new float[pos.length * headDim];
        float[] sin = new float[pos.length * headDim];
        for (int p = 0; p < pos.length; p++) {
            float t = pos[p];
            for (int i = 0; i < half; i++) {
                float a = t * inv[i];                                      // fp32 product, as torch.outer
                float c = (float) Math.cos(a);
                float sn = (float) Math.sin(a);
                cos[p * headDim + i] = c;
                cos[p * headDim + half + i] = c;
                sin[p * headDim + i] = sn;
                sin[p * headDim + half + i] = sn;
            }
        }
        NDManager m = positions.getManager();
        Shape out = new Shape(s.get(0), 1, s.get(1), headDim);
        return new NDArray[] {m.create(cos, out), m.create(sin, out)};  // (B, 1, T, Dh) each
    }

    /**
     * {@code x cos + rotate_half(x) sin} for x (B, H, T, Dh) and tables (B, 1, T, Dh); the fp32 tables are cast to
     * x's type first, as LLaMA does.
     */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long h = x.getShape().get(3) / 2;
        NDArray rotated = x.get("..., " + h + ":").neg().concat(x.get("..., :" + h), 3); // (B, H, T, Dh)
        return x.mul(Ops.like(cos, x)).add(rotated.mul(Ops.like(sin, x)));            // (B, H, T, Dh)
    }
}
