package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Scoped;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers 0.20 {@code UNetMidBlock2D} as the VAE builds it (no time embedding, one attention layer, eps
 * 1e-6): {@code resnets.0}, {@code attentions.0}, {@code resnets.1}.
 *
 * <p>Dimensions: B batch, C channels, H height, W width. Mirrors
 * {@code diffusers/models/unet_2d_blocks.py::UNetMidBlock2D} (reference: {@code weft_ref/vae.py::MidBlock}).
 */
public final class VaeMidBlock {
    public final ResnetBlock2D resnet0;
    public final VaeAttention attention;
    public final ResnetBlock2D resnet1;

    public VaeMidBlock(WeightPath p, int channels, int groups, float eps) {
        this.resnet0 = new ResnetBlock2D(p.pp("resnets").pp(0), channels, channels, 0, groups, eps);
        this.attention = new VaeAttention(p.pp("attentions").pp(0), channels, groups, eps);
        this.resnet1 = new ResnetBlock2D(p.pp("resnets").pp(1), channels, channels, 0, groups, eps);
    }

    /** (B, C, H, W) to (B, C, H, W). */
    public NDArray forward(NDArray x) {
        // 1. resnet, 2. self-attention, 3. resnet (each scoped: only its output survives)
        NDArray h = Scoped.chain(x, x, in -> resnet0.forward(in, null));  // (B, C, H, W)
        h = Scoped.chain(h, x, attention::forward);                          // (B, C, H, W)
        return Scoped.chain(h, x, in -> resnet1.forward(in, null));          // (B, C, H, W)
    }
}
