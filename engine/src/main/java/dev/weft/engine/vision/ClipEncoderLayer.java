package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.LayerNorm;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * One transformers CLIP encoder layer (transformers 4.31 {@code CLIPEncoderLayer}): pre-norm multi-head
 * self-attention and a quick_gelu MLP, both residual. The reference swaps the attention for xformers'
 * memory-efficient kernel (same math, default scale 1/sqrt(D)); this is the plain computation.
 *
 * <p>Dimensions: B batch, T tokens, C width, M heads, D = C / M per head, F MLP width.
 *
 * <p>Parameters under {@code encoder.layers.{i}}: {@code self_attn.{q,k,v,out}_proj}, {@code layer_norm1},
 * {@code mlp.fc1}, {@code mlp.fc2}, {@code layer_norm2}.
 */
public final class ClipEncoderLayer {
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;
    private final LayerNorm norm1;
    private final Linear fc1;
    private final Linear fc2;
    private final LayerNorm norm2;
    private final int heads;
    private final long width;

    public ClipEncoderLayer(WeightPath p, VisionConfig cfg) {
        long c = cfg.hiddenSize();
        this.width = c;
        this.heads = cfg.numHeads();
        WeightPath a = p.pp("self_attn");
        this.k = new Linear(a.pp("k_proj"), c, c, true);
        this.v = new Linear(a.pp("v_proj"), c, c, true);
        this.q = new Linear(a.pp("q_proj"), c, c, true);
        this.out = new Linear(a.pp("out_proj"), c, c, true);
        this.norm1 = new LayerNorm(p.pp("layer_norm1"), c, (float) cfg.layerNormEps());
        this.fc1 = new Linear(p.pp("mlp").pp("fc1"), c, cfg.intermediateSize(), true);
        this.fc2 = new Linear(p.pp("mlp").pp("fc2"), cfg.intermediateSize(), c, true);
        this.norm2 = new LayerNorm(p.pp("layer_norm2"), c, (float) cfg.layerNormEps());
    }

    /** x: (B, T, C) to (B, T, C). */
    public NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        if (x.getShape().dimension() != 3 || x.getShape().get(2) != width) {
            throw new IllegalArgumentException("clip layer input: expected (B, T, " + width + "), found "
                    + x.getShape());
        }
        long d = width / heads;
        // 1. self-attention on the normalised tokens
        NDArray h = norm1.forward(x);
        NDArray qh = q.forward(h).reshape(b, t, heads, d).transpose(0, 2, 1, 3);   // (B, M, T, D)
        NDArray kh = k.forward(h).reshape(b, t, heads, d).transpose(0, 2, 1, 3);   // (B, M, T, D)
        NDArray vh = v.forward(h).reshape(b, t, heads, d).transpose(0, 2, 1, 3);   // (B, M, T, D)
        NDArray o = Ops.attention(qh, kh, vh, null)                                 // (B, M, T, D)
                .transpose(0, 2, 1, 3).reshape(b, t, width);                       // (B, T, C)
        x = x.add(out.forward(o));
        // 2. MLP: fc1, quick_gelu, fc2
        NDArray m = fc2.forward(Ops.quickGelu(fc1.forward(norm2.forward(x))));      // (B, T, C)
        return x.add(m);
    }
}
