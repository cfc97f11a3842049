package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.GroupNorm;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * The VAE mid-block's spatial self-attention: diffusers 0.20 {@code Attention} as built by
 * {@code UNetMidBlock2D} ({@code heads = 1}, {@code dim_head = C}, {@code norm_num_groups} set,
 * {@code residual_connection=True}, {@code rescale_output_factor=1}, biases on every projection).
 *
 * <p>Dimensions: B batch, C channels, H height, W width, N = H*W tokens.
 *
 * <pre>  out = x + to_out.0( softmax(q k^T / sqrt(C)) v ),  q, k, v = to_q/to_k/to_v(group_norm(x) as tokens)</pre>
 *
 * Parameters: {@code group_norm}, {@code to_q}, {@code to_k}, {@code to_v}, {@code to_out.0}. These are the
 * 0.20 names; checkpoints saved before diffusers 0.14 used {@code query/key/value/proj_attn} (diffusers
 * converts them on load; the MM-Interleaved checkpoint was saved from 0.20 modules). Mirrors
 * {@code diffusers/models/attention_processor.py::AttnProcessor} (reference: {@code weft_ref/vae.py}).
 */
public final class VaeAttention {
    public final int channels;
    public final GroupNorm groupNorm;
    public final Linear toQ;
    public final Linear toK;
    public final Linear toV;
    public final Linear toOut;

    public VaeAttention(WeightPath p, int channels, int groups, float eps) {
        this.channels = channels;
        this.groupNorm = new GroupNorm(p.pp("group_norm"), groups, channels, eps);
        this.toQ = new Linear(p.pp("to_q"), channels, channels, true);
        this.toK = new Linear(p.pp("to_k"), channels, channels, true);
        this.toV = new Linear(p.pp("to_v"), channels, channels, true);
        this.toOut = new Linear(p.pp("to_out").pp(0), channels, channels, true);
    }

    /** (B, C, H, W) to (B, C, H, W). */
    public NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        // 1. normalise, then lay the plane out as tokens
        NDArray t = groupNorm.forward(x).reshape(b, channels, h * w).transpose(0, 2, 1); // (B, N, C)
        // 2. single-head attention, scale 1/sqrt(C)
        NDArray o = Ops.attention(toQ.forward(t), toK.forward(t), toV.forward(t), null);       // (B, N, C)
        // 3. output projection back to the plane, residual
        o = toOut.forward(o).transpose(0, 2, 1).reshape(b, channels, h, w);              // (B, C, H, W)
        return x.add(o);
    }
}
