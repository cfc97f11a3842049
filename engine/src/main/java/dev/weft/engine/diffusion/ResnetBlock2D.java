package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.GroupNorm;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers 0.20 {@code ResnetBlock2D} in the configuration Stable Diffusion uses (pre-norm, SiLU,
 * {@code time_embedding_norm="default"}, {@code output_scale_factor=1}, no up/down sampling inside).
 *
 * <p>Dimensions: B batch, Ci input channels, Co output channels, H height, W width, T time-embedding width.
 *
 * <pre>
 *   h   = conv1(SiLU(norm1(x)))                (B, Co, H, W)
 *   h  += time_emb_proj(SiLU(temb))[:, :, 1, 1]   only when tembChannels > 0 and temb != null
 *   h   = conv2(SiLU(norm2(h)))                (B, Co, H, W)
 *   out = (conv_shortcut(x) if Ci != Co else x) + h
 * </pre>
 *
 * Parameters: {@code norm1}, {@code conv1} (3x3), {@code time_emb_proj} (Linear T to Co, only when
 * {@code tembChannels > 0}), {@code norm2}, {@code conv2} (3x3), {@code conv_shortcut} (1x1, only when
 * Ci != Co). Mirrors {@code diffusers/models/resnet.py::ResnetBlock2D} (reference:
 * {@code engine/training/weft_ref/diffusion_blocks.py}). The UNet uses eps 1e-5, the VAE 1e-6.
 */
public final class ResnetBlock2D {
    public final int in;
    public final int out;
    public final int tembChannels;
    public final GroupNorm norm1;
    public final Conv2d conv1;
    public final Linear timeEmbProj;   // null when tembChannels == 0
    public final GroupNorm norm2;
    public final Conv2d conv2;
    public final Conv2d convShortcut;  // null when in == out

    public ResnetBlock2D(WeightPath p, int in, int out, int tembChannels, int groups, float eps) {
        this.in = in;
        this.out = out;
        this.tembChannels = tembChannels;
        this.norm1 = new GroupNorm(p.pp("norm1"), groups, in, eps);
        this.conv1 = new Conv2d(p.pp("conv1"), in, out, 3, 1, 1, true);
        this.timeEmbProj = tembChannels > 0 ? new Linear(p.pp("time_emb_proj"), tembChannels, out, true) : null;
        this.norm2 = new GroupNorm(p.pp("norm2"), groups, out, eps);
        this.conv2 = new Conv2d(p.pp("conv2"), out, out, 3, 1, 1, true);
        this.convShortcut = in != out ? new Conv2d(p.pp("conv_shortcut"), in, out, 1, 1, 0, true) : null;
    }

    /**
     * @param x (B, Ci, H, W)
     * @param temb (B, T), or null (ignored when the block has no {@code time_emb_proj})
     * @return (B, Co, H, W)
     */
    public NDArray forward(NDArray x, NDArray temb) {
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != in) {
            throw new IllegalArgumentException("ResnetBlock2D x: expected (B, " + in + ", H, W), found "
                    + x.getShape());
        }
        if (timeEmbProj != null && temb != null
                && (temb.getShape().dimension() != 2 || temb.getShape().get(1) != tembChannels
                || temb.getShape().get(0) != x.getShape().get(0))) {
            throw new IllegalArgumentException("ResnetBlock2D temb: expected (" + x.getShape().get(0) + ", "
                    + tembChannels + "), found " + temb.getShape());
        }
        // each full-size temporary is closed as soon as the next exists (the VAE's 512 x 512 resnets hold
        // 268 MB per array in fp32; a caller's scope would keep all eight until the block ends)
        // 1. first half: norm, act, conv
        NDArray h = normActConv(x, norm1, conv1);                           // (B, Co, H, W)
        // 2. time embedding, broadcast over the plane
        if (timeEmbProj != null && temb != null) {
            NDArray t = timeEmbProj.forward(Ops.silu(temb));               // (B, Co)
            h.addi(t.reshape(t.getShape().get(0), out, 1, 1));             // (B, Co, H, W)
        }
        // 3. second half: norm, act, (dropout: inference), conv
        NDArray h2 = normActConv(h, norm2, conv2);                          // (B, Co, H, W)
        h.close();
        // 4. residual (output_scale_factor 1): skip + h out of place (in place into h2 changes a few low bits,
        //    likely through the conv output's memory layout; the peak is the same: x, h2 and the sum)
        NDArray skip = convShortcut != null ? convShortcut.forward(x) : x;  // (B, Co, H, W)
        NDArray y = skip.add(h2);                                           // (B, Co, H, W)
        h2.close();
        if (skip != x) {
            skip.close();
        }
        return y;
    }

    /** conv(silu(norm(x))), each intermediate closed once the next exists; x is left open. */
    private static NDArray normActConv(NDArray x, GroupNorm norm, Conv2d conv) {
        NDArray n = norm.forward(x);                                        // (B, C, H, W)
        NDArray a = Ops.silu(n);                                            // (B, C, H, W)
        n.close();
        NDArray y = conv.forward(a);                                        // (B, Co, H, W)
        a.close();
        return y;
    }
}
