package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * torch.nn.Conv2d on (B, C, H, W). Parameters: {@code weight} (out, in/groups, k, k), {@code bias} (out). Computes
 * in the weight's type (the input is cast to it when it differs).
 */
public final class Conv2d {
    public final NDArray weight; // (out, in/groups, k, k)
    public final NDArray bias;   // (out) or null
    public final int kernel;
    public final int stride;
    public final int padding;
    public final int groups;

    public Conv2d(WeightPath p, long in, long out, int kernel, int stride, int padding, boolean bias) {
        this(p, in, out, kernel, stride, padding, 1, bias, Init.DEFAULT);
    }

    public Conv2d(WeightPath p, long in, long out, int kernel, int stride, int padding, int groups, boolean bias,
                  Init init) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
        this.weight = p.get("weight", init, out, in / groups, kernel, kernel);
        this.bias = bias ? p.get("bias", init.kind() == Init.Kind.ZEROS ? Init.zeros() : Init.DEFAULT, out) : null;
    }

    public NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long hOut = (x.getShape().get(2) + 2L * padding - kernel) / stride + 1;
        long wOut = (x.getShape().get(3) + 2L * padding - kernel) / stride + 1;
        Flops.add(2L * b * hOut * wOut * weight.getShape().size());
        return ai.djl.nn.convolutional.Conv2d.conv2d(Ops.like(x, weight), weight, bias, new Shape(stride, stride),
                new Shape(padding, padding), new Shape(1, 1), groups).singletonOrThrow();
    }
}
