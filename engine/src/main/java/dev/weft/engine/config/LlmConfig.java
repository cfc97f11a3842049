package dev.weft.engine.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import static dev.weft.engine.config.ConfigException.check;
import static dev.weft.engine.config.ConfigException.divisible;
import static dev.weft.engine.config.ConfigException.positive;

/**
 * The LLaMA-style LLM with MMFS blocks ({@code mm_decoder}, notes 1.1 and 1.3).
 *
 * @param vocabSize vocabulary including the two added tokens (32002)
 * @param hiddenSize width (5120)
 * @param intermediateSize SwiGLU width (13824)
 * @param numLayers layers (40)
 * @param numHeads attention heads (40)
 * @param rmsNormEps RMSNorm eps (1e-6)
 * @param maxPositions maximum sequence length (2048)
 * @param ropeTheta RoPE base (10000)
 * @param mmfsEvery an MMFS block sits in every layer with {@code idx % mmfsEvery == 0} (4)
 * @param mmfs the MMFS blocks' hyper-parameters
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record LlmConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                        double rmsNormEps, int maxPositions, double ropeTheta, int mmfsEvery, MmfsConfig mmfs) {
    public LlmConfig {
        String s = "llm";
        check(vocabSize > 3, s, "vocab_size", "more than 3 tokens", vocabSize);
        positive(s, "hidden_size", hiddenSize);
        positive(s, "num_heads", numHeads);
        divisible(s, "hidden_size", hiddenSize, "num_heads", numHeads);
        check((hiddenSize / Math.max(numHeads, 1)) % 2 == 0, s, "hidden_size / num_heads", "an even head size",
                hiddenSize / Math.max(numHeads, 1));
        positive(s, "intermediate_size", intermediateSize);
        positive(s, "num_layers", numLayers);
        positive(s, "max_positions", maxPositions);
        check(ropeTheta > 0, s, "rope_theta", "a positive number", ropeTheta);
        positive(s, "mmfs_every", mmfsEvery);
        check(mmfs != null, s, "mmfs", "an mmfs section", "none");
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    public boolean hasMmfs(int layer) {
        return layer % mmfsEvery == 0;
    }

    /** Vicuna-13B v1.3 with MMFS at layers 0, 4, ..., 36. */
    public static LlmConfig vicuna13b() {
        return new LlmConfig(32002, 5120, 13824, 40, 40, 1e-6, 2048, 10000.0, 4, MmfsConfig.llm13b());
    }

    /** Tiny: width 64, 4 layers, MMFS at layers 0 and 2. */
    public static LlmConfig tiny(int vocabSize) {
        return new LlmConfig(vocabSize, 64, 128, 4, 4, 1e-6, 512, 10000.0, 2, MmfsConfig.llmTiny());
    }
}
