package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.weft.engine.nn.LayerNorm;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers {@code BasicTransformerBlock} as SD uses it: self-attention, cross-attention on the conditioning,
 * GEGLU feed-forward, each pre-LayerNorm (eps 1e-5) with a residual.
 *
 * <p>Dimensions: B batch, T tokens (H*W of the feature map), S context tokens, C width, Dc context width,
 * F = 4 C the feed-forward width.
 *
 * <p>Parameters: {@code norm1, attn1.*, norm2, attn2.*, norm3, ff.net.0.proj} (C -> 2F, GEGLU),
 * {@code ff.net.2} (F -> C). Mirrors diffusers 0.20 {@code models/attention.py} ({@code BasicTransformerBlock},
 * {@code FeedForward}, {@code GEGLU}).
 */
public final class BasicTransformerBlock {
    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final Linear ffIn;
    private final Linear ffOut;

    public BasicTransformerBlock(WeightPath p, int dim, int heads, int dimHead, int crossDim) {
        int ff = dim * 4;
        this.norm1 = new LayerNorm(p.pp("norm1"), dim, 1e-5f);
        this.attn1 = new Attention(p.pp("attn1"), dim, 0, heads, dimHead);
        this.norm2 = new LayerNorm(p.pp("norm2"), dim, 1e-5f);
        this.attn2 = new Attention(p.pp("attn2"), dim, crossDim, heads, dimHead);
        this.norm3 = new LayerNorm(p.pp("norm3"), dim, 1e-5f);
        this.ffIn = new Linear(p.pp("ff").pp("net").pp(0).pp("proj"), dim, 2L * ff, true);
        this.ffOut = new Linear(p.pp("ff").pp("net").pp(2), ff, dim, true);
    }

    public Attention attn1() {
        return attn1;
    }

    public Attention attn2() {
        return attn2;
    }

    /**
     * @param x (B, T, C)
     * @param context (B, S, Dc)
     * @return (B, T, C)
     */
    public NDArray forward(NDArray x, NDArray context) {
        // 1. self-attention
        x = attn1.forward(norm1.forward(x), null).add(x);
        // 2. cross-attention on the conditioning
        x = attn2.forward(norm2.forward(x), context).add(x);
        // 3. GEGLU feed-forward: proj -> [hidden, gate] -> hidden * gelu(gate) -> net.2
        NDArray proj = ffIn.forward(norm3.forward(x));                       // (B, T, 2F)
        NDList hg = proj.split(2, proj.getShape().dimension() - 1);           // 2 x (B, T, F)
        return ffOut.forward(hg.get(0).mul(Ops.gelu(hg.get(1)))).add(x);
    }
}
