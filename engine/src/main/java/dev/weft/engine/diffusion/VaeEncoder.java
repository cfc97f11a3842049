package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.VaeConfig;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.GroupNorm;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.Scoped;
import dev.weft.engine.nn.WeightPath;

import java.util.List;

/**
 * diffusers 0.20 VAE {@code Encoder} ({@code double_z=True}): image to the Gaussian's moments.
 *
 * <p>Dimensions: B batch, Ci image channels (3), L latent channels (4), C_i block widths, H/W image side,
 * f = 2^(blocks-1) the downsampling factor.
 *
 * <pre>
 *   conv_in -> down_blocks.{0..n-1} (resnets, downsamplers.0 except the last) -> mid_block
 *   -> conv_norm_out, SiLU -> conv_out (2L channels: mean then logvar)
 * </pre>
 * Mirrors {@code diffusers/models/vae.py::Encoder} (reference: {@code weft_ref/vae.py::Encoder}).
 */
public final class VaeEncoder {
    static final float EPS = 1e-6f;

    public final Conv2d convIn;
    public final DownEncoderBlock2D[] downBlocks;
    public final VaeMidBlock midBlock;
    public final GroupNorm convNormOut;
    public final Conv2d convOut;
    private final int inChannels;

    public VaeEncoder(WeightPath p, VaeConfig cfg) {
        List<Integer> ch = cfg.blockOutChannels();
        int g = cfg.normNumGroups();
        this.inChannels = cfg.inChannels();
        this.convIn = new Conv2d(p.pp("conv_in"), cfg.inChannels(), ch.get(0), 3, 1, 1, true);
        this.downBlocks = new DownEncoderBlock2D[ch.size()];
        int prev = ch.get(0);
        for (int i = 0; i < ch.size(); i++) {
            downBlocks[i] = new DownEncoderBlock2D(p.pp("down_blocks").pp(i), prev, ch.get(i),
                    cfg.layersPerBlock(), g, EPS, i < ch.size() - 1);
            prev = ch.get(i);
        }
        int last = ch.get(ch.size() - 1);
        this.midBlock = new VaeMidBlock(p.pp("mid_block"), last, g, EPS);
        this.convNormOut = new GroupNorm(p.pp("conv_norm_out"), g, last, EPS);
        this.convOut = new Conv2d(p.pp("conv_out"), last, 2L * cfg.latentChannels(), 3, 1, 1, true);
    }

    /** (B, Ci, H, W) to the moments (B, 2L, H/f, W/f). */
    public NDArray forward(NDArray image) {
        if (image.getShape().dimension() != 4 || image.getShape().get(1) != inChannels) {
            throw new IllegalArgumentException("VAE encoder image: expected (B, " + inChannels + ", H, W), found "
                    + image.getShape());
        }
        // 1. stem
        NDArray h = Scoped.run(() -> convIn.forward(image));                  // (B, C_0, H, W)
        // 2. down blocks
        for (DownEncoderBlock2D b : downBlocks) {
            h = Scoped.chain(h, image, b::forward);                            // (B, C_i, H/2^i, W/2^i)
        }
        // 3. mid block
        h = Scoped.chain(h, image, midBlock::forward);                         // (B, C_last, H/f, W/f)
        // 4. head
        return Scoped.chain(h, image, x -> convOut.forward(Ops.silu(convNormOut.forward(x)))); // (B, 2L, H/f, W/f)
    }
}
