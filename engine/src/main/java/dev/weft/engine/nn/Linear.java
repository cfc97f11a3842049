package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code y = x W^T + b}, as torch.nn.Linear. Parameters: {@code weight} (out, in), {@code bias} (out). Computes in the
 * weight's type (the input is cast to it when it differs).
 */
public final class Linear {
    public final NDArray weight; // (out, in)
    public final NDArray bias;   // (out) or null
    public final long in;
    public final long out;

    public Linear(WeightPath p, long in, long out, boolean bias) {
        this(p, in, out, bias, Init.DEFAULT, Init.DEFAULT);
    }

    public Linear(WeightPath p, long in, long out, boolean bias, Init weightInit, Init biasInit) {
        this.in = in;
        this.out = out;
        this.weight = p.get("weight", weightInit, out, in);
        this.bias = bias ? p.get("bias", biasInit, out) : null;
    }

    /** (..., in) to (..., out). */
    public NDArray forward(NDArray x) {
        x = Ops.like(x, weight);
        Flops.add(2L * x.getShape().size() / in * in * out);
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }
}
