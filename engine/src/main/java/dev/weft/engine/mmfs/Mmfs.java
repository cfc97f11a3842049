package dev.weft.engine.mmfs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.MmfsConfig;
import dev.weft.engine.nn.Embedding;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

import java.util.Arrays;

/**
 * MMFS, the Multi-image Multi-scale Feature Synchronizer ({@code MMI: models/utils/ops/modules/mmfs.py}, class
 * {@code MMFS}; notes 1.3 and 1.4): deformable attention from every query to several images at once.
 *
 * <p>Dimensions: B batch, Lq queries, N images (slots; some may be masked or empty), L levels per image,
 * S = sum over levels of H_l * W_l positions per image, M heads, P points per (head, image, level),
 * Dq query width, Dv width of the input image features, D = M * Dh inner width ({@code d_model * ratio} in the
 * reference), Dout output width.
 *
 * <p>What it computes, per query and head: one set of P sampling offsets per image (shared across that image's
 * levels, multiplied by each level's scale ratio {@code levelSize / baseSpatialShape}, divided by the level's
 * (W, H)) around the query's reference point; one softmax over images x levels x (P + 1) logits, where the extra
 * slot per (image, level) is a "null" token with the fixed logit {@code -log(N * L)} and the value
 * {@code ignore_token}; images hidden by the mask get -10000 added to their logits. Before the offset and weight
 * projections the query is passed through {@code dynamic_offset_mask} and, per image, offset by
 * {@code query_relpos[rel]} where rel is 1 for the most recent visible image, 2 for the one before, ..., and 0
 * for masked images.
 *
 * <p>The two call sites:
 * <ul>
 *   <li>LLM ({@code decoders/modeling_llama_mmfs.py} {@code LlamaMMFSAttention}): query = RMSNorm'd token
 *       hidden states (Dq = Dout = LLM width), features = RMSNorm'd vision features (Dv = vision width), one
 *       reference point (0.5, 0.5) per token ({@link #centreReferencePoints}), 3 levels (32, 16, 8), base =
 *       vision grid (16), mask (B, T, N) built by {@code CrossMask};</li>
 *   <li>UNet ({@code decoders/sd_mmfs.py} {@code MMFSBlock}): query = the feature map's positions (Dq = Dout =
 *       UNet block channels), reference points = that map's pixel centres ({@link #gridReferencePoints}),
 *       4 levels, base = the block's own resolution, mask (B, N).</li>
 * </ul>
 *
 * <p>Parameters (relative to the block's prefix, names as the checkpoint): {@code sampling_offsets} Linear(Dq,
 * M*P*2), {@code attention_weights} Linear(Dq, M*L*(P+1)), {@code dynamic_offset_mask} Linear(Dq, Dq),
 * {@code value_proj} Linear(Dv, D), {@code output_proj} Linear(D, Dout), {@code query_relpos} Embedding(maxImages,
 * Dq), {@code ignore_token} (1, 1, 1, D) (a frozen zero parameter in the reference, saved in the checkpoint: it
 * is requested and used). The reference's {@code scale_ratios} is a non-persistent buffer, derived here from the
 * constructor arguments. The reference's {@code input_padding_mask} is always None at both call sites and is not
 * supported. The reference's special case for queries that see no image (setting their null logits to 1) is
 * overwritten on the next line by the fixed null logit, so it has no effect and is not reproduced: such a query's
 * weight goes almost entirely (exp(-10000) = 0 in fp32) to the null slots, i.e. the output is
 * {@code output_proj(ignore_token)}.
 *
 * <p>Cost: {@code dynamic_offset_mask} is applied once per query and broadcast over the images (the reference
 * applies it to the query after repeating it per image; both give the same rows, since the relative-position
 * embedding is added afterwards: the results are identical up to float rounding of the matmul; the PyTorch mirror
 * {@code weft_ref/mmfs.py}, which does the same, was checked against the original module's order of operations:
 * max abs diff 6e-8 in fp32). The value projection can be computed once
 * ({@link #projectValue}) and reused across calls with {@link #forwardProjected} (incremental decoding).
 */
public final class Mmfs {
    public final Linear samplingOffsets;   // (M*P*2, Dq)
    public final Linear attentionWeights;  // (M*L*(P+1), Dq)
    public final Linear dynamicOffsetMask; // (Dq, Dq)
    public final Linear valueProj;         // (D, Dv)
    public final Linear outputProj;        // (Dout, D)
    public final Embedding queryRelpos;    // (maxImages, Dq)
    public final NDArray ignoreToken;      // (1, 1, 1, D)

    private final long queryDim;
    private final long featureDim;
    private final long innerDim;
    private final int heads;
    private final int levels;
    private final int points;
    private final int maxImages;
    private final float[] scaleRatios;     // (L)
    private NDArray ignoreTokenHeads;      // (M, Dh), ignore_token reshaped on first use

    /**
     * @param p the block's prefix (e.g. {@code mm_decoder.layers.0.llama_cross_attn.attn})
     * @param cfg heads ({@code n_heads}), levels ({@code n_levels}), points ({@code n_points}), inner width
     *            {@code valueDim} (= {@code int(d_model * ratio)}), {@code offset_init_magnitude} (used in INIT mode),
     *            {@code max_num_image_per_seq} ({@code maxImages})
     * @param queryDim {@code d_query} (Dq)
     * @param featureDim {@code d_value}, width of the image features given to forward (Dv)
     * @param outDim {@code d_out} (Dout)
     * @param spatialShapes {@code spatial_shapes}: side of each level's (square) map, length L, e.g. {32, 16, 8}
     * @param baseSpatialShape {@code base_spatial_shape}: offsets of level l are scaled by
     *                         {@code spatialShapes[l] / baseSpatialShape}
     */
    public Mmfs(WeightPath p, MmfsConfig cfg, long queryDim, long featureDim, long outDim, int[] spatialShapes,
                int baseSpatialShape) {
        if (spatialShapes.length != cfg.numLevels()) {
            throw new IllegalArgumentException("spatialShapes: expected " + cfg.numLevels() + " levels, found "
                    + Arrays.toString(spatialShapes));
        }
        this.queryDim = queryDim;
        this.featureDim = featureDim;
        this.innerDim = cfg.valueDim();
        this.heads = cfg.numHeads();
        this.levels = cfg.numLevels();
        this.points = cfg.numPoints();
        this.maxImages = cfg.maxImages();
        this.scaleRatios = new float[levels];
        for (int l = 0; l < levels; l++) {
            scaleRatios[l] = (float) (spatialShapes[l] / (double) baseSpatialShape);
        }
        float mag = (float) cfg.offsetInitMagnitude();
        // reference _reset_parameters: offsets weight 0, bias uniform(-mag, mag); attention_weights bias 0
        this.samplingOffsets = new Linear(p.pp("sampling_offsets"), queryDim, (long) heads * points * 2, true,
                Init.zeros(), Init.uniform(-mag, mag));
        // frozen zero vector in the reference; stored in the checkpoint, so requested
        this.ignoreToken = p.get("ignore_token", Init.zeros(), 1, 1, 1, innerDim);
        this.dynamicOffsetMask = new Linear(p.pp("dynamic_offset_mask"), queryDim, queryDim, true);
        this.attentionWeights = new Linear(p.pp("attention_weights"), queryDim,
                (long) heads * levels * (points + 1), true);
        this.valueProj = new Linear(p.pp("value_proj"), featureDim, innerDim, true);
        this.outputProj = new Linear(p.pp("output_proj"), innerDim, outDim, true);
        this.queryRelpos = new Embedding(p.pp("query_relpos"), maxImages, queryDim);
    }

    /**
     * The whole block.
     *
     * @param query (B, Lq, Dq)
     * @param referencePoints (B or 1, Lq, 2), x then y, in [0, 1] (top-left 0, bottom-right 1)
     * @param features (B, N, S, Dv): per image, its L levels flattened row-major and concatenated in level order
     * @param levelShapes the L levels' {h, w} of one image (repeated for every image, as {@code deform_inputs} does)
     * @param mask 1 = visible, 0 = hidden: (B, N) for all queries alike, or (B, Lq, N) per query; a (B, Q, N) mask
     *             with Q != Lq applies its last row to every query (the reference's rule for cached decoding)
     * @return (B, Lq, Dout)
     */
    public NDArray forward(NDArray query, NDArray referencePoints, NDArray features, long[][] levelShapes,
                           NDArray mask) {
        NDArray f = Handles.rebind(features, query.getManager());
        return forwardProjected(query, referencePoints, projectValue(f), levelShapes, mask);
    }

    /**
     * {@code value_proj} of the image features, reusable by {@link #forwardProjected}.
     *
     * @param features (B, N, S, Dv)
     * @return (B, N, S, D), on the features' manager
     */
    public NDArray projectValue(NDArray features) {
        Shape s = features.getShape();
        if (s.dimension() != 4 || s.get(3) != featureDim) {
            throw new IllegalArgumentException("features: expected (B, N, S, " + featureDim + "), found " + s);
        }
        return valueProj.forward(features); // (B, N, S, D)
    }

    /**
     * As {@link #forward}, with the value already projected by {@link #projectValue}.
     *
     * @param value (B, N, S, D)
     */
    public NDArray forwardProjected(NDArray query, NDArray referencePoints, NDArray value, long[][] levelShapes,
                                    NDArray mask) {
        // mirrors mmfs.py MMFS.forward
        Shape qs = query.getShape();
        if (qs.dimension() != 3 || qs.get(2) != queryDim) {
            throw new IllegalArgumentException("query: expected (B, Lq, " + queryDim + "), found " + qs);
        }
        long b = qs.get(0);
        long lq = qs.get(1);
        Shape vs = value.getShape();
        if (vs.dimension() != 4 || vs.get(0) != b || vs.get(3) != innerDim) {
            throw new IllegalArgumentException("value: expected (" + b + ", N, S, " + innerDim + "), found " + vs);
        }
        long n = vs.get(1);
        long s = vs.get(2);
        if (n == 0) {
            throw new IllegalArgumentException("value: no image slots (N = 0); the reference cannot run MMFS over "
                    + "zero images (-log(0) logit), skip the block instead");
        }
        if (levelShapes.length != levels) {
            throw new IllegalArgumentException("levelShapes: expected " + levels + " levels, found "
                    + levelShapes.length);
        }
        long sum = 0;
        for (long[] hw : levelShapes) {
            sum += hw[0] * hw[1];
        }
        if (sum != s) {
            throw new IllegalArgumentException("features: expected S = " + sum + " positions per image (levels "
                    + Arrays.deepToString(levelShapes) + "), found " + s);
        }
        Shape rs = referencePoints.getShape();
        if (rs.dimension() != 3 || (rs.get(0) != b && rs.get(0) != 1) || rs.get(1) != lq || rs.get(2) != 2) {
            throw new IllegalArgumentException("referencePoints: expected (" + b + " or 1, " + lq + ", 2), found "
                    + rs);
        }
        NDManager mgr = query.getManager();
        // inputs that may live longer than this call (cached values, a prompt's mask) get handles of this call
        value = Handles.rebind(value, mgr);
        referencePoints = Handles.rebind(referencePoints, mgr);
        NDArray m3 = queryMask(Handles.rebind(mask, mgr), b, lq, n);        // (B, Q, N), Q = 1 or Lq
        long q = m3.getShape().get(1);
        long dh = innerDim / heads;
        long nl = n * levels;

        // 1. relative image positions: 1 = most recent visible image, 2 = the one before, 0 = hidden
        NDArray rel = relativePositions(m3);                                 // (B, Q, N) int64
        long maxRel = n == 0 ? 0 : rel.max().getLong();
        if (maxRel >= maxImages) {
            throw new IllegalArgumentException("mask: " + maxRel + " visible images, at most " + (maxImages - 1)
                    + " supported (query_relpos has " + maxImages + " rows)");
        }

        // 2. per-image queries: dynamic_offset_mask once per query, plus query_relpos of each image
        NDArray qd = dynamicOffsetMask.forward(query).expandDims(1);         // (B, 1, Lq, Dq)
        NDArray relEmb = lookup(queryRelpos.weight, rel.transpose(0, 2, 1)); // (B, N, Q, Dq)
        NDArray qn = qd.add(relEmb);                                          // (B, N, Lq, Dq)

        // 3. values of all images and levels, "levels" = images x levels
        NDArray v = value.reshape(b, n * s, heads, dh);                       // (B, N*S, M, Dh)

        // 4. sampling locations: per-image offsets, scaled per level, normalised by the level's (W, H)
        NDArray off = samplingOffsets.forward(qn)
                .reshape(b, n, lq, heads, points, 2)                          // (B, N, Lq, M, P, 2)
                .transpose(0, 2, 3, 1, 4, 5)                                  // (B, Lq, M, N, P, 2)
                .expandDims(4);                                               // (B, Lq, M, N, 1, P, 2)
        //    one factor per level and axis, scale ratio / (W, H), made in Java (one small tensor, not two)
        float[] perLevel = new float[levels * 2];
        for (int l = 0; l < levels; l++) {
            perLevel[2 * l] = scaleRatios[l] / levelShapes[l][1];
            perLevel[2 * l + 1] = scaleRatios[l] / levelShapes[l][0];
        }
        NDArray factor = mgr.create(perLevel, new Shape(1, 1, 1, 1, levels, 1, 2)); // (1, 1, 1, 1, L, 1, 2)
        NDArray ref = referencePoints.reshape(rs.get(0), lq, 1, 1, 1, 1, 2);   // (B|1, Lq, 1, 1, 1, 1, 2)
        NDArray loc = off.mul(factor).add(ref)                                // (B, Lq, M, N, L, P, 2)
                .reshape(b, lq, heads, nl, points, 2);                        // (B, Lq, M, N*L, P, 2)

        // 5. logits, -10000 on hidden images, the null slot's fixed logit, one softmax over N x L x (P+1)
        NDArray logits = attentionWeights.forward(qn)
                .reshape(b, n, lq, heads, levels, points + 1)                 // (B, N, Lq, M, L, P+1)
                .transpose(0, 2, 3, 1, 4, 5)                                  // (B, Lq, M, N, L, P+1)
                .get("..., :" + points);                                      // (B, Lq, M, N, L, P)
        NDArray maskAdd = m3.neg().add(1f).mul(-10000f).reshape(b, q, 1, n, 1, 1); // (B, Q, 1, N, 1, 1)
        logits = logits.add(maskAdd);                                         // (B, Lq, M, N, L, P)
        NDArray nullLogit = mgr.full(new Shape(b, lq, heads, n, levels, 1), (float) -Math.log(nl)); // (.., 1)
        NDArray weights = logits.concat(nullLogit, 5)                         // (B, Lq, M, N, L, P+1)
                .reshape(b, lq, heads, nl * (points + 1))                     // (B, Lq, M, N*L*(P+1))
                .softmax(-1)
                .reshape(b, lq, heads, nl, points + 1);                       // (B, Lq, M, N*L, P+1)
        NDArray pointWeights = weights.get("..., :" + points);                // (B, Lq, M, N*L, P)
        NDArray nullWeight = weights.get("..., " + points).sum(new int[] {3}); // (B, Lq, M)

        // 6. deformable sampling over all images' levels, plus the null token, then output_proj
        long[][] shapes = new long[(int) nl][];
        for (int i = 0; i < nl; i++) {
            shapes[i] = levelShapes[i % levels];
        }
        NDArray out = Ops.msDeformAttn(v, shapes, loc, pointWeights);        // (B, Lq, D)
        if (ignoreTokenHeads == null) {
            ignoreTokenHeads = ignoreToken.reshape(heads, dh);                // (M, Dh)
            ai.djl.ndarray.NDScope.unregister(ignoreTokenHeads);              // a cache: outlives any caller's scope
        }
        NDArray nul = nullWeight.expandDims(3).mul(ignoreTokenHeads)          // (B, Lq, M, Dh)
                .reshape(b, lq, innerDim);                                    // (B, Lq, D)
        return outputProj.forward(out.add(Ops.like(nul, out)));              // (B, Lq, Dout)
    }

    /** Rows of {@code table} (R, C) for int64 ids of any shape: (..., C), owned by the ids' manager. */
    static NDArray lookup(NDArray table, NDArray ids) {
        NDArray rows = table.get(ids.flatten());                               // (n, C)
        rows.attach(ids.getManager());
        long[] shape = new long[ids.getShape().dimension() + 1];
        System.arraycopy(ids.getShape().getShape(), 0, shape, 0, shape.length - 1);
        shape[shape.length - 1] = table.getShape().get(1);
        return rows.reshape(shape);                                            // (..., C)
    }

    /** Normalises the mask to (B, 1, N) or (B, Lq, N), float. */
    private static NDArray queryMask(NDArray mask, long b, long lq, long n) {
        Shape ms = mask.getShape();
        NDArray m = mask.toType(DataType.FLOAT32, false);
        if (ms.dimension() == 2 && ms.get(0) == b && ms.get(1) == n) {
            return m.reshape(b, 1, n);                                        // (B, 1, N)
        }
        if (ms.dimension() == 3 && ms.get(0) == b && ms.get(2) == n) {
            long rows = ms.get(1);
            return rows == lq ? m : m.get(":, " + (rows - 1) + ":" + rows + ", :"); // (B, Lq or 1, N)
        }
        throw new IllegalArgumentException("mask: expected (" + b + ", " + n + ") or (" + b + ", Q, " + n
                + "), found " + ms);
    }

    /**
     * Relative image positions from a 0/1 mask: {@code (sum + 1 - cumsum) * mask} along the image axis, i.e. 1 for
     * the last visible image, 2 for the one before, 0 for hidden images.
     *
     * @param mask (..., N) of 0/1
     * @return (..., N) int64
     */
    public static NDArray relativePositions(NDArray mask) {
        NDArray m = mask.toType(DataType.FLOAT32, false);
        int last = mask.getShape().dimension() - 1;
        NDArray total = m.sum(new int[] {last}, true);                       // (..., 1)
        return total.add(1f).sub(m.cumSum(last)).mul(m).toType(DataType.INT64, false); // (..., N)
    }

    /** The LLM's reference points: the image centre (0.5, 0.5) for each of {@code lq} queries, (1, Lq, 2). */
    public static NDArray centreReferencePoints(NDManager manager, long lq) {
        return manager.full(new Shape(1, lq, 2), 0.5f);
    }

    /**
     * The UNet's reference points: the pixel centres of an {@code h x w} map, row-major, x then y, normalised to
     * [0, 1] ({@code sd_mmfs.py get_reference_points}), (1, h*w, 2).
     */
    public static NDArray gridReferencePoints(NDManager manager, int h, int w) {
        float[] v = new float[h * w * 2];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                v[2 * (y * w + x)] = (x + 0.5f) / w;
                v[2 * (y * w + x) + 1] = (y + 0.5f) / h;
            }
        }
        return manager.create(v, new Shape(1, (long) h * w, 2));
    }

    public int numHeads() {
        return heads;
    }

    public int numLevels() {
        return levels;
    }

    public int numPoints() {
        return points;
    }

    public int maxImages() {
        return maxImages;
    }
}
