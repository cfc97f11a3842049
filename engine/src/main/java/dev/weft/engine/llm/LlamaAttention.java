package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * LLaMA self-attention ({@code modeling_llama_mmfs.py} {@code LlamaAttention}): q, k, v, o projections without
 * bias, RoPE on q and k, optional key/value cache, fp32 softmax.
 *
 * <p>Dimensions: B batch, T new tokens, S cached + new tokens, D width, H heads, Dh = D / H.
 *
 * <p>Parameters: {@code q_proj}, {@code k_proj}, {@code v_proj}, {@code o_proj} weights (D, D).
 */
public final class LlamaAttention {
    public final Linear qProj;
    public final Linear kProj;
    public final Linear vProj;
    public final Linear oProj;
    private final int heads;
    private final int headDim;
    private final float scale;

    public LlamaAttention(WeightPath p, int hidden, int heads) {
        this.heads = heads;
        this.headDim = hidden / heads;
        this.scale = (float) Math.pow(headDim, -0.5);
        this.qProj = new Linear(p.pp("q_proj"), hidden, hidden, false);
        this.kProj = new Linear(p.pp("k_proj"), hidden, hidden, false);
        this.vProj = new Linear(p.pp("v_proj"), hidden, hidden, false);
        this.oProj = new Linear(p.pp("o_proj"), hidden, hidden, false);
    }

    /**
     * @param x (B, T, D), already normalised by {@code input_layernorm}
     * @param cos (B, 1, T, Dh) RoPE table of the new tokens' positions
     * @param sin (B, 1, T, Dh)
     * @param mask additive (1, 1, T, S) causal mask, or null when every key is visible (T == 1)
     * @param cache the cache to append to and read from, or null
     * @param layer this layer's index in the cache
     * @return (B, T, D)
     */
    public NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray mask, KvCache cache, int layer) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        // 1. projections, split into heads
        NDArray q = qProj.forward(x).reshape(b, t, heads, headDim).transpose(0, 2, 1, 3); // (B, H, T, Dh)
        NDArray k = kProj.forward(x).reshape(b, t, heads, headDim).transpose(0, 2, 1, 3); // (B, H, T, Dh)
        NDArray v = vProj.forward(x).reshape(b, t, heads, headDim).transpose(0, 2, 1, 3); // (B, H, T, Dh)
        // 2. rotary position embedding
        q = Rope.apply(q, cos, sin);                                              // (B, H, T, Dh)
        k = Rope.apply(k, cos, sin);                                              // (B, H, T, Dh)
        // 3. cached keys and values
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];                                                            // (B, H, S, Dh)
            v = kv[1];                                                            // (B, H, S, Dh)
        }
        // 4. scores (q scaled first, as the reference), then in fp32: causal mask clamped at the fp32 minimum,
        //    softmax, the probabilities back in the values' type
        //    (Ops.attentionProbs frees each score-sized intermediate as soon as the next exists)
        NDArray raw = q.mul(scale).matMul(k.transpose(0, 1, 3, 2));              // (B, H, T, S)
        NDArray probs = Ops.attentionProbs(raw, 1f, mask, true, v);               // (B, H, T, S)
        NDArray out = probs.matMul(v);                                            // (B, H, T, Dh)
        probs.close();
        out = out.transpose(0, 2, 1, 3).reshape(b, t, (long) heads * headDim);   // (B, T, D)
        return oProj.forward(out);                                                // (B, T, D)
    }
}
