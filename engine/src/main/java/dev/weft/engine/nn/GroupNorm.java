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
        return y.mul(weight.reshape(1, channels, 1, 1)).add(bias.reshape(1, channels, 1, 1));
    }
}
