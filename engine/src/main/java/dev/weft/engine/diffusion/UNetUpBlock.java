package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Scoped;
import dev.weft.engine.nn.WeightPath;

import java.util.Deque;

/**
 * One up block of the UNet: diffusers {@code CrossAttnUpBlock2D} ({@code heads > 0}) or {@code UpBlock2D}
 * ({@code heads == 0}). It has {@code layers + 1} resnets; each takes the running tensor concatenated (on
 * channels) with the most recent unused skip tensor, and in cross-attention blocks is followed by a
 * {@link Transformer2DModel}. All but the last block end with a nearest-x2 {@link Upsample2D}.
 *
 * <p>Dimensions: B batch, Cp channels coming from below ({@code prev_output_channel}), Co output channels,
 * Cs channels of a skip, H, W size, E time-embedding width, S context tokens, Dc context width.
 *
 * <p>Skip widths follow diffusers: resnet j gets a skip of {@code in} channels when it is the last resnet,
 * otherwise {@code out} channels, where {@code in} is the width of the next-lower-resolution down block
 * ({@code reversed_block_out_channels[min(i + 1, n - 1)]}).
 *
 * <p>Parameters: {@code resnets.{j}}, {@code attentions.{j}} (cross-attention blocks), {@code upsamplers.0.conv}.
 * Mirrors diffusers 0.20 {@code models/unet_2d_blocks.py} ({@code CrossAttnUpBlock2D}, {@code UpBlock2D}).
 */
public final class UNetUpBlock {
    private final ResnetBlock2D[] resnets;
    private final Transformer2DModel[] attentions; // null for UpBlock2D
    private final Upsample2D upsampler;            // null for the last block

    /**
     * @param p prefix ({@code up_blocks.{i}})
     * @param in skip width of the last resnet (see class doc)
     * @param prev Cp
     * @param out Co
     * @param layers {@code layers_per_block}; the block has layers + 1 resnets
     * @param heads attention heads, 0 for a block without cross-attention
     * @param addUpsample whether the block ends with an upsampler
     */
    public UNetUpBlock(WeightPath p, int in, int prev, int out, int layers, int tembChannels, int groups, float eps,
                       int heads, int crossDim, boolean linearProjection, boolean addUpsample) {
        int n = layers + 1;
        this.resnets = new ResnetBlock2D[n];
        this.attentions = heads > 0 ? new Transformer2DModel[n] : null;
        for (int j = 0; j < n; j++) {
            int skip = j == n - 1 ? in : out;
            int resIn = j == 0 ? prev : out;
            resnets[j] = new ResnetBlock2D(p.pp("resnets").pp(j), resIn + skip, out, tembChannels, groups, eps);
            if (attentions != null) {
                attentions[j] = new Transformer2DModel(p.pp("attentions").pp(j), out, heads, crossDim, groups,
                        linearProjection);
            }
        }
        this.upsampler = addUpsample ? new Upsample2D(p.pp("upsamplers").pp(0), out) : null;
    }

    /** Skip tensors this block consumes. */
    public int numSkips() {
        return resnets.length;
    }

    /**
     * @param x (B, Cp, H, W)
     * @param skips the unused skip tensors; this block pops {@link #numSkips()} from the end
     * @param temb (B, E)
     * @param context (B, S, Dc)
     * @return (B, Co, 2H, 2W) with an upsampler, else (B, Co, H, W)
     */
    public NDArray forward(NDArray x, Deque<NDArray> skips, NDArray temb, NDArray context) {
        // 1. resnets on [x, skip], each followed by its transformer in cross-attention blocks; each runs in its
        //    own scope (Scoped) and the tensors it consumed are closed, except this block's input
        NDArray input = x;
        for (int j = 0; j < resnets.length; j++) {
            ResnetBlock2D resnet = resnets[j];
            NDArray skip = skips.removeLast();
            x = Scoped.chain(x, input, h -> {
                NDArray cat = h.concat(skip, 1);                                   // (B, C + Cs, H, W)
                return resnet.forward(cat, temb);
            });
            if (attentions != null) {
                Transformer2DModel attention = attentions[j];
                x = Scoped.chain(x, input, h -> attention.forward(h, context));
            }
        }
        // 2. upsample
        return upsampler != null ? Scoped.chain(x, input, upsampler::forward) : x;
    }
}
