package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Scoped;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers 0.20 {@code UpDecoderBlock2D}: {@code layers} resnets without time embedding (the decoder passes
 * {@code layers_per_block + 1}), then (except in the last block) {@code upsamplers.0}, an {@link Upsample2D}.
 *
 * <p>Dimensions: B batch, Ci/Co channels, H height, W width. Mirrors
 * {@code diffusers/models/unet_2d_blocks.py::UpDecoderBlock2D} (reference: {@code weft_ref/vae.py}).
 */
public final class UpDecoderBlock2D {
    public final ResnetBlock2D[] resnets;
    public final Upsample2D upsampler; // null in the last block

    public UpDecoderBlock2D(WeightPath p, int in, int out, int layers, int groups, float eps, boolean addUpsample) {
        this.resnets = new ResnetBlock2D[layers];
        for (int j = 0; j < layers; j++) {
            resnets[j] = new ResnetBlock2D(p.pp("resnets").pp(j), j == 0 ? in : out, out, 0, groups, eps);
        }
        this.upsampler = addUpsample ? new Upsample2D(p.pp("upsamplers").pp(0), out) : null;
    }

    /** (B, Ci, H, W) to (B, Co, 2H, 2W), or (B, Co, H, W) without upsampler. */
    public NDArray forward(NDArray x) {
        // 1. resnets
        NDArray h = x;
        for (ResnetBlock2D r : resnets) {
            h = Scoped.chain(h, x, in -> r.forward(in, null));                        // (B, Co, H, W)
        }
        // 2. upsample
        if (upsampler != null) {
            h = Scoped.chain(h, x, upsampler::forward);                       // (B, Co, 2H, 2W)
        }
        return h;
    }
}
