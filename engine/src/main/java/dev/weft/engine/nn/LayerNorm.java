package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * torch.nn.LayerNorm over the last dimension. Parameters: {@code weight}, {@code bias} (C). Normalises in fp32 and
 * returns the input's type.
 */
public final class LayerNorm {
    public final NDArray weight; // (C)
    public final NDArray bias;   // (C) or null
    public final long dim;
    public final float eps;

    public LayerNorm(WeightPath p, long dim, float eps) {
        this(p, dim, eps, true);
    }

    public LayerNorm(WeightPath p, long dim, float eps, boolean bias) {
        this.dim = dim;
        this.eps = eps;
        this.weight = p.get("weight", Init.ones(), dim);
        this.bias = bias ? p.get("bias", Init.zeros(), dim) : null;
    }

    public NDArray forward(NDArray x) {
        NDArray b = bias == null
                // zeros on the input's manager: made from the weight, they would outlive the call
                ? x.getManager().zeros(weight.getShape())                        // (C)
                : Ops.fp32(bias);
        return ai.djl.nn.norm.LayerNorm.layerNorm(Ops.fp32(x), new Shape(dim), Ops.fp32(weight), b, eps)
                .singletonOrThrow().toType(x.getDataType(), false);
    }

    /** Layer norm without affine parameters (for QK-norm variants and references). */
    public static NDArray plain(NDArray x, float eps) {
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray xc = x.sub(mean);
        NDArray var = xc.square().mean(new int[] {-1}, true);
        return xc.div(var.add(eps).sqrt());
    }
}
