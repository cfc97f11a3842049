package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers {@code Attention} with the default processor (multi-head scaled dot-product attention, no mask):
 * {@code to_q}, {@code to_k}, {@code to_v} without bias, {@code to_out.0} with bias ({@code to_out.1} is a dropout).
 * Self-attention when the context is null ({@code attn1}), cross-attention otherwise ({@code attn2}).
 *
 * <p>Dimensions: B batch, T query tokens, S context tokens, C query width, Dc context width, H heads,
 * Dh head width.
 *
 * <p>Mirrors diffusers 0.20 {@code models/attention_processor.py} ({@code Attention}, {@code AttnProcessor}).
 */
public final class Attention {
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final int dimHead;

    /**
     * @param p prefix ({@code ...attn1} or {@code ...attn2})
     * @param queryDim C
     * @param crossDim Dc, or 0 for self-attention (then Dc = C)
     * @param heads H
     * @param dimHead Dh
     */
    public Attention(WeightPath p, int queryDim, int crossDim, int heads, int dimHead) {
        int inner = heads * dimHead;
        int kv = crossDim > 0 ? crossDim : queryDim;
        this.heads = heads;
        this.dimHead = dimHead;
        this.toQ = new Linear(p.pp("to_q"), queryDim, inner, false);
        this.toK = new Linear(p.pp("to_k"), kv, inner, false);
        this.toV = new Linear(p.pp("to_v"), kv, inner, false);
        this.toOut = new Linear(p.pp("to_out").pp(0), inner, queryDim, true);
    }

    /**
     * @param x (B, T, C)
     * @param context (B, S, Dc), or null for self-attention
     * @return (B, T, C)
     */
    public NDArray forward(NDArray x, NDArray context) {
        NDArray ctx = context == null ? x : context;
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long s = ctx.getShape().get(1);
        if (ctx.getShape().get(0) != b) {
            throw new IllegalArgumentException("context: expected batch " + b + ", found " + ctx.getShape());
        }
        // 1. projections, split into heads
        NDArray q = toQ.forward(x).reshape(b, t, heads, dimHead).transpose(0, 2, 1, 3);   // (B, H, T, Dh)
        NDArray k = toK.forward(ctx).reshape(b, s, heads, dimHead).transpose(0, 2, 1, 3); // (B, H, S, Dh)
        NDArray v = toV.forward(ctx).reshape(b, s, heads, dimHead).transpose(0, 2, 1, 3); // (B, H, S, Dh)
        // 2. softmax(q k^T / sqrt(Dh)) v
        NDArray o = Ops.attention(q, k, v, null);                                          // (B, H, T, Dh)
        // 3. merge heads, to_out.0
        o = o.transpose(0, 2, 1, 3).reshape(b, t, (long) heads * dimHead);                 // (B, T, H*Dh)
        return toOut.forward(o);
    }
}
