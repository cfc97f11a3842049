package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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
 * <p>Self-attention at SD's 64 x 64 level has 4096 x 4096 scores per head; queries are processed in chunks so that
 * at most {@code maxScores} scores exist at once (the sliced-attention idea of diffusers, same result).
 *
 * <p>Mirrors diffusers 0.20 {@code models/attention_processor.py} ({@code Attention}, {@code AttnProcessor}).
 */
public final class Attention {
    /** Largest attention-score tensor computed at once (elements): 2^26 = 256 MB of fp32. */
    public static final long MAX_SCORES = 1L << 26;
    static long maxScores = MAX_SCORES; // not final: tests lower it to exercise the chunked path

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
        // 2. softmax(q k^T / sqrt(Dh)) v, in query chunks so the score matrix stays under maxScores elements
        //    (rows are independent: the result is the same as one call)
        long chunk = Math.max(1, maxScores / (b * heads * s));
        NDArray o;
        if (chunk >= t) {
            o = Ops.attention(q, k, v, null);                                              // (B, H, T, Dh)
        } else {
            NDList parts = new NDList();
            for (long a = 0; a < t; a += chunk) {
                NDArray qc = q.get(":, :, " + a + ":" + Math.min(t, a + chunk));           // (B, H, Tc, Dh)
                parts.add(Ops.attention(qc, k, v, null));                                  // (B, H, Tc, Dh)
            }
            o = NDArrays.concat(parts, 2);                                                 // (B, H, T, Dh)
        }
        // 3. merge heads, to_out.0
        o = o.transpose(0, 2, 1, 3).reshape(b, t, (long) heads * dimHead);                 // (B, T, H*Dh)
        return toOut.forward(o);
    }
}
