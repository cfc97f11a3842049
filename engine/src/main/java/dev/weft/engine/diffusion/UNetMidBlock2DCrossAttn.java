package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Scoped;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers {@code UNetMidBlock2DCrossAttn}: resnet, {@link Transformer2DModel}, resnet, at constant width.
 *
 * <p>Dimensions: B batch, C channels, H, W size, E time-embedding width, S context tokens, Dc context width.
 *
 * <p>Parameters: {@code resnets.0}, {@code attentions.0}, {@code resnets.1}. Mirrors diffusers 0.20
 * {@code models/unet_2d_blocks.py}.
 */
public final class UNetMidBlock2DCrossAttn {
    private final ResnetBlock2D resnet0;
    private final Transformer2DModel attention;
    private final ResnetBlock2D resnet1;

    public UNetMidBlock2DCrossAttn(WeightPath p, int channels, int tembChannels, int groups, float eps, int heads,
                                   int crossDim, boolean linearProjection) {
        this.resnet0 = new ResnetBlock2D(p.pp("resnets").pp(0), channels, channels, tembChannels, groups, eps);
        this.attention = new Transformer2DModel(p.pp("attentions").pp(0), channels, heads, crossDim, groups,
                linearProjection);
        this.resnet1 = new ResnetBlock2D(p.pp("resnets").pp(1), channels, channels, tembChannels, groups, eps);
    }

    /**
     * @param x (B, C, H, W)
     * @param temb (B, E)
     * @param context (B, S, Dc)
     * @return (B, C, H, W)
     */
    public NDArray forward(NDArray x, NDArray temb, NDArray context) {
        // 1. resnet, 2. transformer, 3. resnet, each in its own scope (Scoped); the input (a skip) is kept
        NDArray h = Scoped.chain(x, x, in -> resnet0.forward(in, temb));           // (B, C, H, W)
        h = Scoped.chain(h, x, in -> attention.forward(in, context));              // (B, C, H, W)
        return Scoped.chain(h, x, in -> resnet1.forward(in, temb));                // (B, C, H, W)
    }
}
