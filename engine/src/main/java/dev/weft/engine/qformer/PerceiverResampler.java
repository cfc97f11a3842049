package dev.weft.engine.qformer;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.QFormerConfig;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.WeightPath;

/**
 * MM-Interleaved's {@code PerceiverResampler} ({@code models/decoders/perceiver.py}): {@code queries}
 * (1, Q, H) learned embeddings fed to a {@link Blip2QFormerModel} ({@code blip2qformer}) that cross-attends to
 * an encoder sequence. Used twice: {@code visual_tokenizer.perceiver_resampler} (64 queries over CLIP features,
 * QK-norm) and {@code image_decoder.perceiver_resampler} (77 queries over LLM hidden states, padding mask).
 *
 * <p>Dimensions: B batch, Q queries, S encoder tokens, H hidden size, E encoder width.
 */
public final class PerceiverResampler {
    private final QFormerConfig config;
    private final NDArray queries; // (1, Q, H)
    private final Blip2QFormerModel blip2qformer;

    /** @param p prefix of the resampler, e.g. {@code visual_tokenizer.perceiver_resampler} */
    public PerceiverResampler(WeightPath p, QFormerConfig c) {
        this.config = c;
        this.blip2qformer = new Blip2QFormerModel(p.pp("blip2qformer"), c);
        this.queries = p.get("queries", Init.normal(0.02f), 1, c.numQueries(), c.hiddenSize());
    }

    public QFormerConfig config() {
        return config;
    }

    /**
     * @param encoderHidden (B, S, E)
     * @param encoderMask (B, S) 1 = attend, 0 = padding, or null
     * @return (B, Q, H)
     */
    public NDArray forward(NDArray encoderHidden, NDArray encoderMask) {
        // 1. the shared learned queries, broadcast over the batch inside the Q-Former (as MMI passes (1, Q, H))
        return blip2qformer.forward(queries, encoderHidden, encoderMask);
    }

    /** Without padding: {@code forward(encoderHidden, null)}. */
    public NDArray forward(NDArray encoderHidden) {
        return forward(encoderHidden, null);
    }
}
