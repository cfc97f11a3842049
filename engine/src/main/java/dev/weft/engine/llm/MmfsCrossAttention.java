package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.LlmConfig;
import dev.weft.engine.mmfs.Handles;
import dev.weft.engine.mmfs.Mmfs;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.RmsNorm;
import dev.weft.engine.nn.WeightPath;

/**
 * The LLM's MMFS block ({@code modeling_llama_mmfs.py} {@code LlamaMMFSAttention}, prefix
 * {@code layers.{i}.llama_cross_attn}): {@code tanh(gate) * MMFS(norm1(h), norm2(vision))} with one reference point
 * at the image centre per token. The caller adds it to the residual stream.
 *
 * <p>Dimensions: B batch, T tokens, D LLM width, N image slots, Sv positions per image, Dv vision width.
 *
 * <p>Parameters: {@code gate} (1) (zero at init: the block starts as a no-op), {@code norm1} (D),
 * {@code norm2} (Dv), {@code attn.*} ({@link Mmfs} with d_model = d_query = d_out = D, d_value = Dv,
 * ratio = Dv / D, levels {@code spatialShapes}, base {@code baseSpatialShape}).
 */
public final class MmfsCrossAttention {
    public final NDArray gate;  // (1)
    public final RmsNorm norm1; // (D)
    public final RmsNorm norm2; // (Dv)
    public final Mmfs attn;
    private Float tanhGate;     // tanh(gate), on first use

    public MmfsCrossAttention(WeightPath p, LlmConfig cfg, int visionDim, int[] spatialShapes, int baseSpatialShape) {
        this.gate = p.get("gate", Init.zeros(), 1);
        this.attn = new Mmfs(p.pp("attn"), cfg.mmfs(), cfg.hiddenSize(), visionDim, cfg.hiddenSize(), spatialShapes,
                baseSpatialShape);
        this.norm1 = new RmsNorm(p.pp("norm1"), cfg.hiddenSize(), (float) cfg.rmsNormEps());
        this.norm2 = new RmsNorm(p.pp("norm2"), visionDim, (float) cfg.rmsNormEps());
    }

    /** value_proj(norm2(features)), computed on h's manager: (B, N, Sv, D'), D' the MMFS inner width. */
    private NDArray projectedValue(NDArray h, VisionFeatures feats) {
        return attn.projectValue(norm2.forward(Handles.rebind(feats.features(), h.getManager())));
    }

    /**
     * @param h (B, T, D) the residual stream after self-attention
     * @param feats vision features (B, N, Sv, Dv)
     * @param crossMask (B, T, N), or (B, Q, N) whose last row applies to every token (see {@link Mmfs#forward})
     * @param cache when not null, the projected vision values are kept there across calls
     * @param layer this layer's index (cache key)
     * @return (B, T, D), the residual update
     */
    public NDArray forward(NDArray h, VisionFeatures feats, NDArray crossMask, KvCache cache, int layer) {
        // 1. queries and (possibly cached) values
        NDArray q = norm1.forward(h);                                            // (B, T, D)
        NDArray value = cache == null
                ? projectedValue(h, feats)                                       // (B, N, Sv, D')
                : cache.visionValue(layer, feats, () -> projectedValue(h, feats));
        // 2. MMFS from the image centre
        NDArray ref = Mmfs.centreReferencePoints(h.getManager(), h.getShape().get(1)); // (1, T, 2)
        NDArray out = attn.forwardProjected(q, ref, value, feats.levelShapes(), crossMask); // (B, T, D)
        // 3. gate
        if (tanhGate == null) {
            tanhGate = (float) Math.tanh(gate.getFloat());
        }
        return out.mul(tanhGate);
    }
}
