package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * LLaMA's RMSNorm: {@code x / sqrt(mean(x^2) + eps) * weight}. Parameter: {@code weight} (C). As LLaMA does it in
 * half precision: normalised in fp32, back to the input's type, then scaled.
 */
public final class RmsNorm {
    public final NDArray weight; // (C)
    public final float eps;

    public RmsNorm(WeightPath p, long dim, float eps) {
        this.weight = p.get("weight", Init.ones(), dim);
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        NDArray h = Ops.fp32(x);
        NDArray ms = h.square().mean(new int[] {-1}, true);
        return h.mul(ms.add(eps).pow(-0.5f)).toType(x.getDataType(), false).mul(weight);
    }
}
