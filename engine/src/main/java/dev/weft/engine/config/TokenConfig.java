package dev.weft.engine.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import static dev.weft.engine.config.ConfigException.check;

/**
 * Special token ids (notes 1.5): {@code <s>}=1, {@code </s>}=2, pad=31999, {@code <|beginofimage|>}=32000,
 * {@code <|image|>}=32001 for Vicuna. The two image tokens are the last two ids of the vocabulary; their logits
 * get {@code head_new}'s added.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TokenConfig(int bos, int eos, int pad, int boi, int image) {
    public TokenConfig {
        check(boi >= 0 && image == boi + 1, "tokens", "image", "boi + 1 (" + (boi + 1) + ")", image);
        check(bos >= 0 && eos >= 0 && pad >= 0, "tokens", "bos/eos/pad", "non-negative ids", bos + "/" + eos + "/" + pad);
    }

    public static TokenConfig vicuna() {
        return new TokenConfig(1, 2, 31999, 32000, 32001);
    }

    /** Ids for a vocabulary of {@code vocabSize} entries whose last two are the image tokens. */
    public static TokenConfig forVocab(int vocabSize) {
        return new TokenConfig(1, 2, vocabSize - 3, vocabSize - 2, vocabSize - 1);
    }
}
