package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Scoped;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers 0.20 {@code DownEncoderBlock2D}: {@code layers} resnets without time embedding, then (except in the
 * last block) {@code downsamplers.0}, a {@link Downsample2D} with the VAE's asymmetric padding 0.
 *
 * <p>Dimensions: B batch, Ci/Co channels, H height, W width. Mirrors
 * {@code diffusers/models/unet_2d_blocks.py::DownEncoderBlock2D} (reference: {@code weft_ref/vae.py}).
 */
public final class DownEncoderBlock2D {
    public final ResnetBlock2D[] resnets;
    public final Downsample2D downsampler; // null in the last block

    public DownEncoderBlock2D(WeightPath p, int in, int out, int layers, int groups, float eps,
                              boolean addDownsample) {
        this.resnets = new ResnetBlock2D[layers];
        for (int j = 0; j < layers; j++) {
            resnets[j] = new ResnetBlock2D(p.pp("resnets").pp(j), j == 0 ? in : out, out, 0, groups, eps);
        }
        this.downsampler = addDownsample ? new Downsample2D(p.pp("downsamplers").pp(0), out, 0) : null;
    }

    /** (B, Ci, H, W) to (B, Co, H/2, W/2), or (B, Co, H, W) without downsampler. */
    public NDArray forward(NDArray x) {
        // 1. resnets
        NDArray h = x;
        for (ResnetBlock2D r : resnets) {
            h = Scoped.chain(h, x, in -> r.forward(in, null));                        // (B, Co, H, W)
        }
        // 2. downsample
        if (downsampler != null) {
            h = Scoped.chain(h, x, downsampler::forward);                     // (B, Co, H/2, W/2)
        }
        return h;
    }
}
