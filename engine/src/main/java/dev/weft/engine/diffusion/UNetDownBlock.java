package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Scoped;
import dev.weft.engine.nn.WeightPath;

import java.util.List;

/**
 * One down block of the UNet: diffusers {@code CrossAttnDownBlock2D} (with {@code heads > 0}: each resnet followed
 * by a {@link Transformer2DModel}) or {@code DownBlock2D} ({@code heads == 0}: resnets only), then an optional
 * stride-2 {@link Downsample2D}. Every resnet(+attention) output and the downsampler's output are skip tensors
 * for the up path.
 *
 * <p>Dimensions: B batch, Ci input channels, Co output channels, H, W input size, E time-embedding width,
 * S context tokens, Dc context width.
 *
 * <p>Parameters: {@code resnets.{i}}, {@code attentions.{i}} (cross-attention blocks only),
 * {@code downsamplers.0.conv} (all but the last block). Mirrors diffusers 0.20 {@code models/unet_2d_blocks.py}
 * ({@code CrossAttnDownBlock2D}, {@code DownBlock2D}).
 */
public final class UNetDownBlock {
    private final ResnetBlock2D[] resnets;
    private final Transformer2DModel[] attentions; // null for DownBlock2D
    private final Downsample2D downsampler;        // null for the last block

    /**
     * @param p prefix ({@code down_blocks.{i}})
     * @param in Ci
     * @param out Co
     * @param layers resnets in the block ({@code layers_per_block})
     * @param tembChannels E
     * @param groups GroupNorm groups
     * @param eps resnet GroupNorm eps
     * @param heads attention heads, 0 for a block without cross-attention
     * @param crossDim Dc
     * @param linearProjection Transformer2DModel projections as Linear (SD 2.x)
     * @param addDownsample whether the block ends with a downsampler
     */
    public UNetDownBlock(WeightPath p, int in, int out, int layers, int tembChannels, int groups, float eps,
                         int heads, int crossDim, boolean linearProjection, boolean addDownsample) {
        this.resnets = new ResnetBlock2D[layers];
        this.attentions = heads > 0 ? new Transformer2DModel[layers] : null;
        for (int i = 0; i < layers; i++) {
            resnets[i] = new ResnetBlock2D(p.pp("resnets").pp(i), i == 0 ? in : out, out, tembChannels, groups, eps);
            if (attentions != null) {
                attentions[i] = new Transformer2DModel(p.pp("attentions").pp(i), out, heads, crossDim, groups,
                        linearProjection);
            }
        }
        this.downsampler = addDownsample ? new Downsample2D(p.pp("downsamplers").pp(0), out, 1) : null;
    }

    /** Skip tensors this block adds: one per resnet, plus one for the downsampler. */
    public int numSkips() {
        return resnets.length + (downsampler != null ? 1 : 0);
    }

    /**
     * @param x (B, Ci, H, W)
     * @param temb (B, E)
     * @param context (B, S, Dc); unused by a block without cross-attention
     * @param skips receives this block's skip tensors, in order
     * @return (B, Co, H/2, W/2) with a downsampler, else (B, Co, H, W)
     */
    public NDArray forward(NDArray x, NDArray temb, NDArray context, List<NDArray> skips) {
        // 1. resnets, each followed by its transformer in cross-attention blocks; each runs in its own scope
        //    (Scoped), so a block's intermediates are freed when it returns, not when the whole step ends
        for (int i = 0; i < resnets.length; i++) {
            ResnetBlock2D resnet = resnets[i];
            NDArray in = x;                                                        // a skip: kept
            x = Scoped.run(() -> resnet.forward(in, temb));
            if (attentions != null) {
                Transformer2DModel attention = attentions[i];
                x = Scoped.chain(x, null, h -> attention.forward(h, context));     // the resnet output is closed
            }
            skips.add(x);
        }
        // 2. downsample
        if (downsampler != null) {
            NDArray in = x;
            x = Scoped.run(() -> downsampler.forward(in));
            skips.add(x);
        }
        return x;
    }
}
