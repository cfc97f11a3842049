package dev.weft.engine.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import static dev.weft.engine.config.ConfigException.check;
import static dev.weft.engine.config.ConfigException.divisible;
import static dev.weft.engine.config.ConfigException.positive;

/**
 * A BLIP-2 Q-Former used as a resampler ({@code PerceiverResampler}, notes 1.1 and 1.4): learned queries that
 * cross-attend to an encoder sequence every {@code crossAttentionFrequency} layers.
 *
 * @param numQueries learned queries = output tokens (64 visual, 77 context)
 * @param hiddenSize Q-Former width (768 visual, 1024 context)
 * @param numLayers layers (12 visual, 1 context)
 * @param numHeads heads (12 visual, 16 context)
 * @param intermediateSize MLP width (Blip2QFormerConfig default 3072 for both)
 * @param crossAttentionFrequency cross-attention in layers with {@code idx % freq == 0} (2 visual, 1 context)
 * @param encoderHiddenSize width of the sequence attended to (1024 visual, LLM width for context)
 * @param qkNormalization LayerNorm on queries and keys (true visual, false context)
 * @param layerNormEps 1e-12 (Blip2QFormerConfig default)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QFormerConfig(int numQueries, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
                            int crossAttentionFrequency, int encoderHiddenSize, boolean qkNormalization,
                            double layerNormEps) {
    public QFormerConfig {
        String s = "qformer";
        positive(s, "num_queries", numQueries);
        positive(s, "hidden_size", hiddenSize);
        positive(s, "num_heads", numHeads);
        divisible(s, "hidden_size", hiddenSize, "num_heads", numHeads);
        positive(s, "num_layers", numLayers);
        positive(s, "intermediate_size", intermediateSize);
        positive(s, "cross_attention_frequency", crossAttentionFrequency);
        positive(s, "encoder_hidden_size", encoderHiddenSize);
        check(layerNormEps > 0, s, "layer_norm_eps", "a positive number", layerNormEps);
    }

    /** The visual tokenizer's resampler: 64 queries over CLIP ViT-L features. */
    public static QFormerConfig visual13b() {
        return new QFormerConfig(64, 768, 12, 12, 3072, 2, 1024, true, 1e-12);
    }

    /** The image decoder's context resampler: 77 queries over Vicuna-13B hidden states. */
    public static QFormerConfig context13b() {
        return new QFormerConfig(77, 1024, 1, 16, 3072, 1, 5120, false, 1e-12);
    }

    public static QFormerConfig visualTiny() {
        return new QFormerConfig(8, 32, 2, 2, 64, 2, 32, true, 1e-12);
    }

    public static QFormerConfig contextTiny() {
        return new QFormerConfig(7, 32, 1, 2, 64, 1, 64, false, 1e-12);
    }
}
