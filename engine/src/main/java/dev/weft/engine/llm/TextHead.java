package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.LlmConfig;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * The text head, {@code text_decoder} ({@code decoders/decoder_text.py} {@code TextDecoder}): {@code head}, a
 * Linear(D, V) with bias (the Vicuna lm_head, rows of the 2 new tokens zero, bias -100 there at init), plus
 * {@code head_new}, a Linear(D, 2) with bias (weight 0, bias 95 at init) whose logits are added to the last two
 * ids ({@code <|beginofimage|>}, {@code <|image|>}).
 *
 * <p>Dimensions: B batch, T tokens, D width, V vocabulary (32002), V0 = V - 2 (the original vocabulary).
 */
public final class TextHead {
    /** Tokens added to the Vicuna vocabulary: {@code <|beginofimage|>} and {@code <|image|>}, the last two ids. */
    public static final int NEW_TOKENS = 2;

    public final Linear head;    // (V, D) + bias
    public final Linear headNew; // (2, D) + bias
    private final long vocab;

    /** @param p prefix {@code text_decoder} */
    public TextHead(WeightPath p, LlmConfig cfg) {
        this.vocab = cfg.vocabSize();
        this.head = new Linear(p.pp("head"), cfg.hiddenSize(), vocab, true);
        this.headNew = new Linear(p.pp("head_new"), cfg.hiddenSize(), NEW_TOKENS, true, Init.zeros(),
                Init.constant(95f));
    }

    /**
     * @param hidden (B, T, D) final-normed hidden states
     * @return logits (B, T, V) fp32 (for sampling), whatever the weights' type
     */
    public NDArray forward(NDArray hidden) {
        long v0 = vocab - NEW_TOKENS;
        NDArray logits = head.forward(hidden);                                      // (B, T, V)
        NDArray added = logits.get("..., " + v0 + ":").add(headNew.forward(hidden)); // (B, T, 2)
        return Ops.fp32(logits.get("..., :" + v0).concat(added, -1));               // (B, T, V)
    }
}
