package dev.weft.engine.qformer;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.QFormerConfig;
import dev.weft.engine.nn.LayerNorm;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * One Q-Former attention block, self- or cross-attention, with its add-and-norm output: transformers 4.31
 * {@code Blip2QFormerAttention} = {@code Blip2QFormerMultiHeadAttention} ({@code attention.{query,key,value}})
 * + {@code Blip2QFormerSelfOutput} ({@code output.{dense,LayerNorm}}), with MM-Interleaved's QK-norm patch
 * ({@code utils/monkey_patch/blip2_qknorm_monkey_patch.py}): {@code attention.q_norm} / {@code attention.k_norm},
 * LayerNorm over the head dimension (eps = {@code layer_norm_eps}, weights shared by all heads), applied after
 * the head split to the queries and to the keys, in self- and cross-attention alike. Without QK-norm those
 * modules are {@code nn.Identity} and have no parameters.
 *
 * <p>Dimensions: Bq query batch (1 when the learned queries are shared, else B), B batch, Q queries,
 * S encoder tokens, H hidden size, E encoder width, nh heads, hd = H / nh.
 */
final class QFormerAttention {
    private final int heads;
    private final int headDim;
    private final long hidden;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final LayerNorm qNorm; // null without QK-norm
    private final LayerNorm kNorm; // null without QK-norm
    private final Linear dense;
    private final LayerNorm norm;

    /**
     * @param p prefix of the block ({@code ...layer.{i}.attention} or {@code ...layer.{i}.crossattention})
     * @param cross true for cross-attention: keys and values come from the encoder ({@code encoder_hidden_size})
     */
    QFormerAttention(WeightPath p, QFormerConfig c, boolean cross) {
        this.heads = c.numHeads();
        this.headDim = c.hiddenSize() / c.numHeads();
        this.hidden = c.hiddenSize();
        float eps = (float) c.layerNormEps();
        long kvIn = cross ? c.encoderHiddenSize() : c.hiddenSize();
        WeightPath a = p.pp("attention");
        this.query = new Linear(a.pp("query"), hidden, hidden, true);
        this.key = new Linear(a.pp("key"), kvIn, hidden, true);
        this.value = new Linear(a.pp("value"), kvIn, hidden, true);
        this.qNorm = c.qkNormalization() ? new LayerNorm(a.pp("q_norm"), headDim, eps) : null;
        this.kNorm = c.qkNormalization() ? new LayerNorm(a.pp("k_norm"), headDim, eps) : null;
        WeightPath o = p.pp("output");
        this.dense = new Linear(o.pp("dense"), hidden, hidden, true);
        this.norm = new LayerNorm(o.pp("LayerNorm"), hidden, eps);
    }

    /**
     * @param x (Bq, Q, H) queries (also keys and values for self-attention)
     * @param kv (B, S, E) encoder states for cross-attention, or null for self-attention
     * @param mask additive (B, 1, 1, S) for cross-attention, or null
     * @return (max(Bq, B), Q, H)
     */
    NDArray forward(NDArray x, NDArray kv, NDArray mask) {
        NDArray src = kv == null ? x : kv;
        // 1. projections, heads split; QK-norm after the split (monkey patch)
        NDArray q = split(query.forward(x));                 // (Bq, nh, Q, hd)
        NDArray k = split(key.forward(src));                 // (B, nh, S, hd)
        NDArray v = split(value.forward(src));               // (B, nh, S, hd)
        if (qNorm != null) {
            q = qNorm.forward(q);
            k = kNorm.forward(k);
        }
        // 2. softmax(q k^T / sqrt(hd) + mask) v; a shared query batch of 1 broadcasts against B
        NDArray ctx = Ops.attention(q, k, v, mask);          // (B, nh, Q, hd)
        long b = ctx.getShape().get(0);
        long t = ctx.getShape().get(2);
        ctx = ctx.transpose(0, 2, 1, 3).reshape(b, t, hidden); // (B, Q, H)
        // 3. Blip2QFormerSelfOutput: LayerNorm(dense(ctx) + x)
        return norm.forward(dense.forward(ctx).add(x));      // (B, Q, H)
    }

    private NDArray split(NDArray x) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        return x.reshape(b, t, heads, headDim).transpose(0, 2, 1, 3); // (B, nh, T, hd)
    }
}
