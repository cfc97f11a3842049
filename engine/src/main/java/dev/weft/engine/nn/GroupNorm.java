package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * torch.nn.GroupNorm on (B, C, H, W) (DJL has no GroupNorm op). Parameters: {@code weight}, {@code bias} (C).
 *
 * <p>Each group's normalisation is libtorch's fused layer norm over that group's C/G*H*W values (with unit scale
 * and zero shift): the same mean and biased variance as GroupNorm, in one op instead of a chain of about ten small
 * ones; the per-channel affine follows. The statistics are taken in fp32, the affine in the input's type.
 */
public final class GroupNorm {
    public final NDArray weight; // (C)
    public final NDArray bias;   // (C)
    public final int groups;
    public final long channels;
    public final float eps;

    private final NDArray weight4;                                       // (1, C, 1, 1), a view of weight
    private final NDArray bias4;                                         // (1, C, 1, 1), a view of bias
    private final Map<Long, NDArray[]> unitAffine = new ConcurrentHashMap<>(); // K -> {ones (K), zeros (K)}

    public GroupNorm(WeightPath p, int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(p + ": channels " + channels + " not divisible by groups " + groups);
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        this.weight = p.get("weight", Init.ones(), channels);
        this.bias = p.get("bias", Init.zeros(), channels);
        // made once, on the parameters' manager: views made per call would land there too and outlive the call
        this.weight4 = weight == null ? null : weight.reshape(1, channels, 1, 1); // null: shapes-only build
        this.bias4 = bias == null ? null : bias.reshape(1, channels, 1, 1);
    }

    public NDArray forward(NDArray x) {
        Shape s = x.getShape();                                           // (B, C, H, W)
        long b = s.get(0);
        long k = s.size() / (b * groups);                                 // K = C/G*H*W values per group
        // 1. normalise each group: layer norm over its K values, unit scale, zero shift
        NDArray[] unit = unitAffine.computeIfAbsent(k, n -> unit(n));
        NDArray y = ai.djl.nn.norm.LayerNorm.layerNorm(Ops.fp32(x).reshape(b, groups, k), new Shape(k), unit[0],
                        unit[1], eps)
                .singletonOrThrow()                                       // (B, G, K)
                .reshape(s)                                               // (B, C, H, W)
                .toType(x.getDataType(), false);
        // 2. per-channel affine
        return y.mul(weight4).add(bias4);                                 // (B, C, H, W)
    }

    /** fp32 {ones (n), zeros (n)} on the parameters' manager, kept out of any {@link NDScope} open in the caller. */
    private NDArray[] unit(long n) {
        NDArray ones = weight.getManager().ones(new Shape(n));
        NDArray zeros = weight.getManager().zeros(new Shape(n));
        NDScope.unregister(ones, zeros);
        return new NDArray[] {ones, zeros};
    }
}
