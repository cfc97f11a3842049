package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;

/** LLaMA's RMSNorm: {@code x / sqrt(mean(x^2) + eps) * weight}. Parameter: {@code weight} (C). */
public final class RmsNorm {
    public final NDArray weight; // (C)
    public final float eps;

    public RmsNorm(WeightPath p, long dim, float eps) {
        this.weight = p.get("weight", Init.ones(), dim);
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.mul(ms.add(eps).pow(-0.5f)).mul(weight);
    }
}
