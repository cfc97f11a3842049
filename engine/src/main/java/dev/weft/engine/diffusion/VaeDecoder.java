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
 * diffusers 0.20 VAE {@code Decoder} ({@code norm_type="group"}): latent to image.
 *
 * <p>Dimensions: B batch, L latent channels (4), Co image channels (3), C_i block widths in reverse order,
 * h/w latent side, f = 2^(blocks-1) the upsampling factor.
 *
 * <pre>
 *   conv_in -> mid_block -> up_blocks.{0..n-1} (layers_per_block + 1 resnets, upsamplers.0 except the last)
 *   -> conv_norm_out, SiLU -> conv_out
 * </pre>
 * Mirrors {@code diffusers/models/vae.py::Decoder} (reference: {@code weft_ref/vae.py::Decoder}).
 */
public final class VaeDecoder {
    public final Conv2d convIn;
    public final VaeMidBlock midBlock;
    public final UpDecoderBlock2D[] upBlocks;
    public final GroupNorm convNormOut;
    public final Conv2d convOut;
    private final int latentChannels;

    public VaeDecoder(WeightPath p, VaeConfig cfg) {
        List<Integer> ch = cfg.blockOutChannels();
        int n = ch.size();
        int g = cfg.normNumGroups();
        float eps = VaeEncoder.EPS;
        this.latentChannels = cfg.latentChannels();
        int top = ch.get(n - 1);
        this.convIn = new Conv2d(p.pp("conv_in"), cfg.latentChannels(), top, 3, 1, 1, true);
        this.midBlock = new VaeMidBlock(p.pp("mid_block"), top, g, eps);
        this.upBlocks = new UpDecoderBlock2D[n];
        int prev = top;
        for (int i = 0; i < n; i++) {
            int out = ch.get(n - 1 - i);
            upBlocks[i] = new UpDecoderBlock2D(p.pp("up_blocks").pp(i), prev, out, cfg.layersPerBlock() + 1, g, eps,
                    i < n - 1);
            prev = out;
        }
        this.convNormOut = new GroupNorm(p.pp("conv_norm_out"), g, ch.get(0), eps);
        this.convOut = new Conv2d(p.pp("conv_out"), ch.get(0), cfg.inChannels(), 3, 1, 1, true);
    }

    /** (B, L, h, w) to (B, Co, h*f, w*f). */
    public NDArray forward(NDArray z) {
        if (z.getShape().dimension() != 4 || z.getShape().get(1) != latentChannels) {
            throw new IllegalArgumentException("VAE decoder latent: expected (B, " + latentChannels
                    + ", h, w), found " + z.getShape());
        }
        // 1. stem
        NDArray h = Scoped.run(() -> convIn.forward(z));                      // (B, C_top, h, w)
        // 2. mid block
        h = Scoped.chain(h, z, midBlock::forward);                             // (B, C_top, h, w)
        // 3. up blocks
        for (UpDecoderBlock2D b : upBlocks) {
            h = Scoped.chain(h, z, b::forward);                                // (B, C_i, h*2^i, w*2^i)
        }
        // 4. head
        return Scoped.chain(h, z, x -> convOut.forward(Ops.silu(convNormOut.forward(x)))); // (B, Co, h*f, w*f)
    }
}
