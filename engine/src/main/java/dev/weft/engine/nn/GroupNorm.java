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
        // 1. normalise each group: layer norm over its K values, unit scale, zero shift; every full-size
        //    temporary (the fp32 copy of an fp16 input, the fp32 result of an fp16 one) is closed as soon as the
        //    next exists, so a norm holds at most two x-sized arrays (a caller's scope would hold all of them)
        NDArray[] unit = unitAffine.computeIfAbsent(k, n -> unit(n));
        NDArray x32 = Ops.fp32(x);                                        // (B, C, H, W) fp32
        NDArray groups3 = x32.reshape(b, groups, k);                      // (B, G, K), a view
        NDArray normed = ai.djl.nn.norm.LayerNorm.layerNorm(groups3, new Shape(k), unit[0], unit[1], eps)
                .singletonOrThrow();                                      // (B, G, K) fp32
        groups3.close();
        if (x32 != x) {
            x32.close();
        }
        NDArray y32 = normed.reshape(s);                                  // (B, C, H, W), a view
        normed.close();                                                   // the view keeps the storage alive, so
                                                                          // closing the result frees it
        NDArray y = y32.toType(x.getDataType(), false);                   // (B, C, H, W) in x's type
        if (y != y32) {
            y32.close();
        }
        // 2. per-channel affine, in place on the fresh result (out of place if the types differ: they promote)
        if (y.getDataType() != weight4.getDataType()) {
            return y.mul(weight4).add(bias4);                             // (B, C, H, W)
        }
        return y.muli(weight4).addi(bias4);                               // (B, C, H, W)
    }

    /** fp32 {ones (n), zeros (n)} on the parameters' manager, kept out of any {@link NDScope} open in the caller. */
    private NDArray[] unit(long n) {
        NDArray ones = weight.getManager().ones(new Shape(n));
        NDArray zeros = weight.getManager().zeros(new Shape(n));
        NDScope.unregister(ones, zeros);
        return new NDArray[] {ones, zeros};
    }
}
