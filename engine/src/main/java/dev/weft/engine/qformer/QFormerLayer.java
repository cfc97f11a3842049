package dev.weft.engine.qformer;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.QFormerConfig;
import dev.weft.engine.nn.LayerNorm;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * One {@code Blip2QFormerLayer} (transformers 4.31), query-only path: self-attention among the queries,
 * cross-attention to the encoder in layers with {@code idx % cross_attention_frequency == 0}, then the query
 * feed-forward {@code intermediate_query.dense} (exact GELU) + {@code output_query.{dense,LayerNorm}}.
 *
 * <p>transformers 4.31 creates no text-branch {@code intermediate} / {@code output} modules (its
 * {@code feed_forward_chunk} names them but {@code __init__} never builds them: transformers issue #30846;
 * later versions create them only with {@code use_qformer_text_input=True}), so the checkpoint has no such
 * keys and none are requested here.
 *
 * <p>Dimensions: Bq query batch (1 or B), B batch, Q queries, S encoder tokens, H hidden size, I intermediate.
 */
final class QFormerLayer {
    private final QFormerAttention attention;
    private final QFormerAttention crossattention; // null in layers without cross-attention
    private final Linear intermediate;
    private final Linear outDense;
    private final LayerNorm outNorm;

    QFormerLayer(WeightPath p, QFormerConfig c, int idx) {
        float eps = (float) c.layerNormEps();
        this.attention = new QFormerAttention(p.pp("attention"), c, false);
        this.crossattention = idx % c.crossAttentionFrequency() == 0
                ? new QFormerAttention(p.pp("crossattention"), c, true) : null;
        this.intermediate = new Linear(p.pp("intermediate_query").pp("dense"), c.hiddenSize(),
                c.intermediateSize(), true);
        WeightPath o = p.pp("output_query");
        this.outDense = new Linear(o.pp("dense"), c.intermediateSize(), c.hiddenSize(), true);
        this.outNorm = new LayerNorm(o.pp("LayerNorm"), c.hiddenSize(), eps);
    }

    boolean hasCrossAttention() {
        return crossattention != null;
    }

    /**
     * @param x (Bq, Q, H)
     * @param enc (B, S, E)
     * @param mask additive (B, 1, 1, S) or null
     * @return (B, Q, H) (Bq where the layer has no cross-attention and Bq = B)
     */
    NDArray forward(NDArray x, NDArray enc, NDArray mask) {
        // 1. self-attention among the queries (the all-ones query mask adds nothing)
        x = attention.forward(x, null, null);                // (Bq, Q, H)
        // 2. cross-attention to the encoder sequence
        if (crossattention != null) {
            x = crossattention.forward(x, enc, mask);        // (B, Q, H)
        }
        // 3. feed-forward of the query branch
        NDArray h = Ops.gelu(intermediate.forward(x));       // (B, Q, I)
        return outNorm.forward(outDense.forward(h).add(x));  // (B, Q, H)
    }
}
