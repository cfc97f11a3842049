package dev.weft.engine.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.QFormerConfig;
import dev.weft.engine.nn.LayerNorm;
import dev.weft.engine.nn.WeightPath;

import java.util.ArrayList;
import java.util.List;

/**
 * BLIP-2 Querying Transformer, transformers 4.31 {@code Blip2QFormerModel} as MM-Interleaved uses it (query
 * embeddings only, no text tokens), with the optional QK-norm of MM-Interleaved's monkey patch. Parameters
 * ({@code p} = the {@code blip2qformer} prefix): {@code layernorm.*}, {@code encoder.layer.{i}.*} (see
 * {@link QFormerLayer}, {@link QFormerAttention}).
 *
 * <p>Forward: {@code x = layernorm(query_embeds)} (dropout is off at inference), then every layer; the output is
 * the last hidden state, with no final norm. The encoder padding mask becomes the additive
 * {@code (1 - mask) * finfo(float32).min} of {@code invert_attention_mask}.
 *
 * <p>Dimensions: Bq query batch (1 when shared by the batch, or B), B batch, Q queries, S encoder tokens,
 * H hidden size, E encoder width.
 */
public final class Blip2QFormerModel {
    private final QFormerConfig config;
    private final LayerNorm layernorm;
    private final List<QFormerLayer> layers = new ArrayList<>();

    /** @param p prefix of the model, e.g. {@code visual_tokenizer.perceiver_resampler.blip2qformer} */
    public Blip2QFormerModel(WeightPath p, QFormerConfig c) {
        this.config = c;
        this.layernorm = new LayerNorm(p.pp("layernorm"), c.hiddenSize(), (float) c.layerNormEps());
        WeightPath enc = p.pp("encoder").pp("layer");
        for (int i = 0; i < c.numLayers(); i++) {
            layers.add(new QFormerLayer(enc.pp(i), c, i));
        }
    }

    public QFormerConfig config() {
        return config;
    }

    /**
     * @param queryEmbeds (Bq, Q, H), Bq = 1 (broadcast over the batch) or B
     * @param encoderHidden (B, S, E); its manager receives the intermediates and the result
     * @param encoderMask (B, S), 1 = attend, 0 = padding (any numeric type), or null for no padding
     * @return (B, Q, H) last hidden state
     */
    public NDArray forward(NDArray queryEmbeds, NDArray encoderHidden, NDArray encoderMask) {
        Shape es = encoderHidden.getShape();
        if (es.dimension() != 3 || es.get(2) != config.encoderHiddenSize()) {
            throw new IllegalArgumentException("encoder_hidden_states: expected (B, S, " + config.encoderHiddenSize()
                    + "), found " + es);
        }
        Shape qs = queryEmbeds.getShape();
        if (qs.dimension() != 3 || qs.get(2) != config.hiddenSize() || (qs.get(0) != 1 && qs.get(0) != es.get(0))) {
            throw new IllegalArgumentException("query_embeds: expected (1 or " + es.get(0) + ", Q, "
                    + config.hiddenSize() + "), found " + qs);
        }
        // 1. additive cross-attention mask (B, 1, 1, S)
        NDArray mask = null;
        if (encoderMask != null) {
            if (!encoderMask.getShape().equals(new Shape(es.get(0), es.get(1)))) {
                throw new IllegalArgumentException("encoder_attention_mask: expected (" + es.get(0) + ", "
                        + es.get(1) + "), found " + encoderMask.getShape());
            }
            mask = encoderMask.toType(DataType.FLOAT32, false).neg().add(1f).mul(-Float.MAX_VALUE)
                    .reshape(es.get(0), 1, 1, es.get(1));                   // (B, 1, 1, S)
            mask.attach(encoderHidden.getManager());
        }
        // 2. layernorm of the query embeddings (they may be parameters: keep the result on the input's manager)
        NDArray x = layernorm.forward(queryEmbeds);                            // (Bq, Q, H)
        x.attach(encoderHidden.getManager());
        // 3. the layers
        for (QFormerLayer layer : layers) {
            x = layer.forward(x, encoderHidden, mask);                         // (B, Q, H)
        }
        return x;
    }
}
