package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * The ViT-Adapter's multi-scale deformable attention (Deformable-DETR {@code MSDeformAttn}, with value channels
 * {@code d_model * ratio}), mirroring {@code MMI: vit_adapter/ops/modules/ms_deform_attn.py}. The CUDA kernel of
 * the reference is replaced by {@link Ops#msDeformAttn}, the pure-tensor path with the same math.
 *
 * <p>Dimensions: N batch, Lq queries, S value positions (levels concatenated), C model width, M heads,
 * Dv = C * ratio value width, D = Dv / M per head, L levels, P points.
 *
 * <p>Parameters: {@code sampling_offsets} (M*L*P*2, C), {@code attention_weights} (M*L*P, C),
 * {@code value_proj} (Dv, C), {@code output_proj} (C, Dv), each with a bias. At init the reference zeroes the
 * offset and attention-weight matrices and puts a ring of offsets in the bias ({@code _reset_parameters}); the
 * INIT mode here only needs shapes, so those use the defaults.
 */
public final class AdapterDeformAttn {
    private final Linear samplingOffsets;
    private final Linear attentionWeights;
    private final Linear valueProj;
    private final Linear outputProj;
    private final int heads;
    private final int levels;
    private final int points;
    private final long valueDim;

    public AdapterDeformAttn(WeightPath p, long dModel, int levels, int heads, int points, double ratio) {
        this.heads = heads;
        this.levels = levels;
        this.points = points;
        this.valueDim = (long) (dModel * ratio);
        this.samplingOffsets = new Linear(p.pp("sampling_offsets"), dModel, (long) heads * levels * points * 2, true,
                Init.zeros(), Init.DEFAULT);
        this.attentionWeights = new Linear(p.pp("attention_weights"), dModel, (long) heads * levels * points, true,
                Init.zeros(), Init.zeros());
        this.valueProj = new Linear(p.pp("value_proj"), dModel, valueDim, true);
        this.outputProj = new Linear(p.pp("output_proj"), valueDim, dModel, true);
    }

    /**
     * @param query (N, Lq, C)
     * @param reference (1, Lq, 1, 1, 1, 2) normalised (x, y) per query, shared over batch, heads, levels, points
     * @param feat (N, S, C)
     * @param shapes the L value levels as {h, w}
     * @param normalizer (1, 1, 1, L, 1, 2) holding (w, h) per level
     * @return (N, Lq, C)
     */
    public NDArray forward(NDArray query, NDArray reference, NDArray feat, long[][] shapes, NDArray normalizer) {
        long n = query.getShape().get(0);
        long lq = query.getShape().get(1);
        long s = feat.getShape().get(1);
        // 1. values, split into heads
        NDArray value = valueProj.forward(feat).reshape(n, s, heads, valueDim / heads);          // (N, S, M, D)
        // 2. per-query offsets (in pixels of each level) and softmax weights over levels x points
        NDArray off = samplingOffsets.forward(query).reshape(n, lq, heads, levels, points, 2);   // (N, Lq, M, L, P, 2)
        NDArray a = attentionWeights.forward(query).reshape(n, lq, heads, (long) levels * points) // (N, Lq, M, L*P)
                .softmax(-1).reshape(n, lq, heads, levels, points);                               // (N, Lq, M, L, P)
        // 3. sampling locations = reference + offset / (w, h); input-derived operand first keeps the manager
        NDArray loc = off.div(normalizer).add(reference);                                        // (N, Lq, M, L, P, 2)
        // 4. bilinear samples, weighted and summed, then the output projection
        return outputProj.forward(Ops.msDeformAttn(value, shapes, loc, a));                       // (N, Lq, C)
    }

    static Shape normalizerShape(int levels) {
        return new Shape(1, 1, 1, levels, 1, 2);
    }
}
