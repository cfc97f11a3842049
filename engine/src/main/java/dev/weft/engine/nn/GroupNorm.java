package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * torch.nn.GroupNorm on (B, C, H, W) (DJL has no GroupNorm op). Parameters: {@code weight}, {@code bias} (C).
 */
public final class GroupNorm {
    public final NDArray weight; // (C)
    public final NDArray bias;   // (C)
    public final int groups;
    public final long channels;
    public final float eps;

    public GroupNorm(WeightPath p, int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(p + ": channels " + channels + " not divisible by groups " + groups);
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        this.weight = p.get("weight", Init.ones(), channels);
        this.bias = p.get("bias", Init.zeros(), channels);
    }

    public NDArray forward(NDArray x) {
        Shape s = x.getShape(); // (B, C, H, W)
        long b = s.get(0);
        NDArray g = x.reshape(b, groups, -1); // (B, G, C/G*H*W)
        NDArray mean = g.mean(new int[] {2}, true);
        NDArray xc = g.sub(mean);
        NDArray var = xc.square().mean(new int[] {2}, true);
        NDArray y = xc.div(var.add(eps).sqrt()).reshape(s); // (B, C, H, W)
        return y.mul(onInput(weight, x)).add(onInput(bias, x));                  // (B, C, H, W)
    }

    /**
     * The parameter as (1, C, 1, 1), owned by the input's manager: a view made from the parameter would otherwise
     * land on the parameters' long-lived manager and outlive the call (one leaked pair per norm per UNet step).
     */
    private NDArray onInput(NDArray p, NDArray x) {
        NDArray v = p.reshape(1, channels, 1, 1);                                 // (1, C, 1, 1)
        v.attach(x.getManager());
        return v;
    }
}
