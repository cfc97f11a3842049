package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.LlmConfig;
import dev.weft.engine.nn.RmsNorm;
import dev.weft.engine.nn.WeightPath;

/**
 * One LLaMA decoder layer with an optional MMFS block ({@code modeling_llama_mmfs.py} {@code LlamaDecoderLayer}):
 * <pre>
 *   h = h + self_attn(input_layernorm(h))
 *   h = h + tanh(gate) * MMFS(norm1(h), norm2(vision))      (layers with an MMFS block, when features are given)
 *   h = h + mlp(post_attention_layernorm(h))
 * </pre>
 *
 * <p>Dimensions: B batch, T new tokens, D width, N image slots.
 *
 * <p>Parameters (prefix {@code layers.{i}}): {@code self_attn.*}, {@code mlp.*}, {@code input_layernorm},
 * {@code post_attention_layernorm}, and {@code llama_cross_attn.*} where {@link LlmConfig#hasMmfs(int)}.
 */
public final class DecoderLayer {
    public final LlamaAttention selfAttn;
    public final MmfsCrossAttention crossAttn; // null in layers without MMFS
    public final LlamaMlp mlp;
    public final RmsNorm inputLayernorm;
    public final RmsNorm postAttentionLayernorm;
    private final int index;

    public DecoderLayer(WeightPath p, LlmConfig cfg, int index, int visionDim, int[] spatialShapes, int base) {
        this.index = index;
        float eps = (float) cfg.rmsNormEps();
        this.selfAttn = new LlamaAttention(p.pp("self_attn"), cfg.hiddenSize(), cfg.numHeads());
        this.crossAttn = cfg.hasMmfs(index)
                ? new MmfsCrossAttention(p.pp("llama_cross_attn"), cfg, visionDim, spatialShapes, base) : null;
        this.mlp = new LlamaMlp(p.pp("mlp"), cfg.hiddenSize(), cfg.intermediateSize());
        this.inputLayernorm = new RmsNorm(p.pp("input_layernorm"), cfg.hiddenSize(), eps);
        this.postAttentionLayernorm = new RmsNorm(p.pp("post_attention_layernorm"), cfg.hiddenSize(), eps);
    }

    /**
     * @param h (B, T, D)
     * @param cos (B, 1, T, Dh) RoPE tables of the new tokens
     * @param sin (B, 1, T, Dh)
     * @param mask additive causal mask (1, 1, T, S), or null
     * @param feats vision features, or null to skip MMFS
     * @param crossMask (B, T, N) (or (B, Q, N), last row applied), ignored without features
     * @param cache key/value cache, or null
     * @return (B, T, D)
     */
    public NDArray forward(NDArray h, NDArray cos, NDArray sin, NDArray mask, VisionFeatures feats,
                           NDArray crossMask, KvCache cache) {
        // 1. self-attention
        h = h.add(selfAttn.forward(inputLayernorm.forward(h), cos, sin, mask, cache, index));   // (B, T, D)
        // 2. MMFS over the visible images
        if (crossAttn != null && feats != null) {
            h = h.add(crossAttn.forward(h, feats, crossMask, cache, index));                   // (B, T, D)
        }
        // 3. SwiGLU MLP
        return h.add(mlp.forward(postAttentionLayernorm.forward(h)));                          // (B, T, D)
    }

    public int index() {
        return index;
    }
}
