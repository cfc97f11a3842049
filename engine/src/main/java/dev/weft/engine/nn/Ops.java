package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

/** Functional building blocks shared by every component (activations, attention, sampling). */
public final class Ops {
    private Ops() { }

    /**
     * {@code x} in the floating type of {@code like} (a weight, so the compute type of the block that owns it):
     * {@code x} itself when it already is. The one place activations change precision going into a block.
     */
    public static NDArray like(NDArray x, NDArray like) {
        DataType t = like.getDataType();
        return x.getDataType() == t ? x : x.toType(t, false);
    }

    /**
     * {@code x} as fp32, {@code x} itself when it already is: for what fp16 compute keeps in full precision
     * (normalisation statistics, attention softmax, the scheduler's latents, text logits).
     */
    public static NDArray fp32(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
    }

    /** Exact GELU, {@code x * Phi(x)}: libtorch's own {@code gelu} (approximate "none", the torch default). */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    /** CLIP's quick_gelu, {@code x * sigmoid(1.702 x)}. */
    public static NDArray quickGelu(NDArray x) {
        return x.mul(x.mul(1.702f).getNDArrayInternal().sigmoid());
    }

    public static NDArray sigmoid(NDArray x) {
        return x.getNDArrayInternal().sigmoid();
    }

    /** SiLU, {@code x * sigmoid(x)}. */
    public static NDArray silu(NDArray x) {
        return sigmoid(x).muli(x);                               // one new array: the product goes into sigmoid's
    }

    /**
     * Scaled dot-product attention, the math of torch's SDPA without dropout. The products run in the inputs' type;
     * the scaled, masked scores and their softmax in fp32 (an additive mask of -inf or -1e9 stays exact there), the
     * probabilities going back to the values' type for the last product.
     *
     * @param q (..., Tq, D)
     * @param k (..., Tk, D)
     * @param v (..., Tk, Dv)
     * @param mask additive mask broadcastable to (..., Tq, Tk), or null
     * @return (..., Tq, Dv)
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask) {
        long d = q.getShape().get(q.getShape().dimension() - 1);
        long tk = k.getShape().get(k.getShape().dimension() - 2);
        long dv = v.getShape().get(v.getShape().dimension() - 1);
        Flops.add(2L * q.getShape().size() / d * tk * (d + dv));
        float scale = (float) (1.0 / Math.sqrt(d));
        NDArray probs = attentionProbs(q.matMul(k.swapAxes(-1, -2)), scale, mask, false, v); // (..., Tq, Tk)
        NDArray out = probs.matMul(v);                                                       // (..., Tq, Dv)
        probs.close();
        return out;
    }

    /**
     * Attention probabilities from raw scores {@code q k^T} in the compute type: in fp32, times {@code scale}
     * (1 skips it), plus the additive {@code mask} (null for none), clamped at the fp32 minimum when
     * {@code clamp}, softmax over the keys, then in {@code like}'s type. Consumes {@code raw}: each score-sized
     * intermediate is closed as soon as the next exists, so at most two are alive at once, 8 B per score (an
     * enclosing scope would hold all five or six until it closes). Same values as the one-line chain.
     *
     * @param raw (..., Tq, Tk), closed here
     * @param mask broadcastable to (..., Tq, Tk), or null
     * @return (..., Tq, Tk) in the type of {@code like}
     */
    public static NDArray attentionProbs(NDArray raw, float scale, NDArray mask, boolean clamp, NDArray like) {
        NDArray s = fp32(raw);                                   // (..., Tq, Tk) fp32
        if (s != raw) {
            raw.close();
        }
        if (scale != 1f) {
            s.muli(scale);
        }
        if (mask != null) {
            NDArray m = fp32(mask);
            s.addi(m);
            if (m != mask) {
                m.close();
            }
            if (clamp) {
                NDArray c = s.maximum(-Float.MAX_VALUE);
                s.close();
                s = c;
            }
        }
        NDArray p = s.softmax(-1);                               // (..., Tq, Tk) fp32
        s.close();
        NDArray out = like(p, like);                             // (..., Tq, Tk) compute type
        if (out != p) {
            p.close();
        }
        return out;
    }

    /**
     * Bilinear sampling with zero padding, {@code F.grid_sample(value, grid, mode="bilinear",
     * padding_mode="zeros", align_corners=False)} (DJL has no grid_sample). Coordinates and weights in fp32, the
     * result in the value's type.
     *
     * @param value (N, C, H, W)
     * @param grid (N, Hg, Wg, 2), x then y, in [-1, 1]
     * @return (N, C, Hg, Wg)
     */
    public static NDArray gridSample(NDArray value, NDArray grid) {
        long n = value.getShape().get(0);
        long c = value.getShape().get(1);
        long h = value.getShape().get(2);
        long w = value.getShape().get(3);
        long hg = grid.getShape().get(1);
        long wg = grid.getShape().get(2);
        NDArray gx = fp32(grid.get("..., 0")).reshape(n, hg * wg); // (N, P)
        NDArray gy = fp32(grid.get("..., 1")).reshape(n, hg * wg); // (N, P)
        // 1. unnormalise (align_corners=False): pixel centres sit at (i + 0.5) / size
        NDArray x = gx.add(1f).mul(w).sub(1f).div(2f);
        NDArray y = gy.add(1f).mul(h).sub(1f).div(2f);
        NDArray x0 = x.floor();
        NDArray y0 = y.floor();
        NDArray wx1 = x.sub(x0);
        NDArray wy1 = y.sub(y0);
        NDArray wx0 = wx1.neg().add(1f);
        NDArray wy0 = wy1.neg().add(1f);
        NDArray flat = value.reshape(n, c, h * w);               // (N, C, H*W)
        NDArray out = null;
        // 2. the four corners, each weighted and zeroed where it falls outside the map
        for (int dy = 0; dy <= 1; dy++) {
            for (int dx = 0; dx <= 1; dx++) {
                NDArray xi = dx == 0 ? x0 : x0.add(1f);
                NDArray yi = dy == 0 ? y0 : y0.add(1f);
                NDArray wgt = (dx == 0 ? wx0 : wx1).mul(dy == 0 ? wy0 : wy1);
                NDArray valid = xi.gte(0f).logicalAnd(xi.lte(w - 1f))
                        .logicalAnd(yi.gte(0f)).logicalAnd(yi.lte(h - 1f));
                wgt = wgt.mul(valid.toType(DataType.FLOAT32, false)); // (N, P)
                NDArray idx = yi.clip(0, h - 1).mul(w).add(xi.clip(0, w - 1))
                        .toType(DataType.INT64, false);             // (N, P)
                NDArray idxC = idx.expandDims(1).broadcast(n, c, hg * wg); // (N, C, P)
                NDArray vals = flat.gather(idxC, 2).mul(like(wgt, value).expandDims(1)); // (N, C, P)
                out = out == null ? vals : out.add(vals);
            }
        }
        return out.reshape(n, c, hg, wg);                       // (N, C, Hg, Wg)
    }

    /**
     * Multi-scale deformable attention, the math of Deformable-DETR's {@code ms_deform_attn_core_pytorch}: bilinear
     * samples (as {@link #gridSample}: zeros padding, align_corners False) from each level, weighted and summed.
     *
     * <p>Dimensions: N batch, S total value positions, M heads, D channels per head, Lq queries, L levels,
     * P points, K = N*Lq*M*L*P*4 sampled corners.
     *
     * <p>All levels, points and the four bilinear corners are gathered at once, as rows of the value seen as
     * (N*S*M, D) (no transpose of the value), and reduced with one batched matmul against their combined weights
     * (bilinear weight x in-map flag x attention weight). This is the same sum as sampling each level with
     * {@link #gridSample} and weighting afterwards, in a different order (differences at float rounding), with
     * about 60 tensor ops per call instead of about 75 per level: on a CPU these small ops' fixed costs dominated.
     *
     * <p>Sampling coordinates and weights are computed in fp32 (an fp16 pixel coordinate of a 64-wide map is only
     * good to 1/32); the combined weights go to the value's type for the gather and the product.
     *
     * @param value (N, S, M, D), levels concatenated in order
     * @param shapes level sizes as {h, w} pairs, summing to S
     * @param locations (N, Lq, M, L, P, 2) normalised to [0, 1], x then y
     * @param weights (N, Lq, M, L, P)
     * @return (N, Lq, M*D)
     */
    public static NDArray msDeformAttn(NDArray value, long[][] shapes, NDArray locations, NDArray weights) {
        long n = value.getShape().get(0);
        long s = value.getShape().get(1);
        long m = value.getShape().get(2);
        long d = value.getShape().get(3);
        long lq = locations.getShape().get(1);
        int levels = shapes.length;
        long p = locations.getShape().get(4);
        NDManager mgr = locations.getManager();
        locations = fp32(locations);
        weights = fp32(weights);
        // 1. per-level tables, (1, 1, 1, L, 1): width, height, their last index, first position in S
        float[] w = new float[levels];
        float[] h = new float[levels];
        float[] start = new float[levels];
        long pos = 0;
        for (int l = 0; l < levels; l++) {
            h[l] = shapes[l][0];
            w[l] = shapes[l][1];
            start[l] = pos;
            pos += shapes[l][0] * shapes[l][1];
        }
        if (pos != s) {
            throw new IllegalArgumentException("value: expected S = " + pos + " positions (levels "
                    + java.util.Arrays.deepToString(shapes) + "), found " + s);
        }
        Shape perLevel = new Shape(1, 1, 1, levels, 1);
        NDArray wl = mgr.create(w, perLevel);
        NDArray hl = mgr.create(h, perLevel);
        NDArray startL = mgr.create(start, perLevel);
        // 2. pixel coordinates as grid_sample computes them (align_corners False): ((2 loc - 1) + 1) * size - 1) / 2
        NDArray x = locations.get("..., 0").mul(2f).sub(1f).add(1f).mul(wl).sub(1f).div(2f); // (N, Lq, M, L, P)
        NDArray y = locations.get("..., 1").mul(2f).sub(1f).add(1f).mul(hl).sub(1f).div(2f); // (N, Lq, M, L, P)
        NDArray x0 = x.floor();
        NDArray y0 = y.floor();
        NDArray fx = x.sub(x0);                                               // weight of the right column
        NDArray fy = y.sub(y0);                                               // weight of the lower row
        NDArray gx = fx.neg().add(1f);
        NDArray gy = fy.neg().add(1f);
        // 3. the four corners on a new last axis, in the order (x0, y0), (x0+1, y0), (x0, y0+1), (x0+1, y0+1)
        NDArray cdx = mgr.create(new float[] {0f, 1f, 0f, 1f});             // (4)
        NDArray cdy = mgr.create(new float[] {0f, 0f, 1f, 1f});             // (4)
        NDArray xi = x0.expandDims(5).add(cdx);                               // (N, Lq, M, L, P, 4)
        NDArray yi = y0.expandDims(5).add(cdy);                               // (N, Lq, M, L, P, 4)
        NDArray bilinear = NDArrays.stack(new NDList(gx, fx, gx, fx), 5)
                .mul(NDArrays.stack(new NDList(gy, gy, fy, fy), 5));          // (N, Lq, M, L, P, 4)
        // 4. clamp into the map; a corner is inside exactly where clamping left it unchanged (zeros padding)
        NDArray wl5 = wl.expandDims(5);                                       // (1, 1, 1, L, 1, 1)
        NDArray hl5 = hl.expandDims(5);
        NDArray xc = xi.maximum(0f).minimum(wl5.sub(1f));
        NDArray yc = yi.maximum(0f).minimum(hl5.sub(1f));
        NDArray inside = xc.eq(xi).logicalAnd(yc.eq(yi)).toType(DataType.FLOAT32, false);
        NDArray wgt = bilinear.mul(inside).mul(weights.expandDims(5))        // (N, Lq, M, L, P, 4)
                .reshape(n * lq * m, 1, levels * p * 4);                      // (N*Lq*M, 1, L*P*4)
        // 5. row of each corner in the value seen as (N*S*M, D): (batch * S + position) * M + head
        NDArray position = yc.mul(wl5).add(xc).add(startL.expandDims(5))     // exact integers in fp32 (S < 2^24)
                .toType(DataType.INT64, false);                               // (N, Lq, M, L, P, 4)
        NDArray batchHead = mgr.arange(0, (int) n, 1, DataType.INT64).mul(s * m).reshape(n, 1, 1, 1, 1, 1)
                .add(mgr.arange(0, (int) m, 1, DataType.INT64).reshape(1, 1, m, 1, 1, 1)); // (N, 1, M, 1, 1, 1)
        NDArray rows = position.mul(m).add(batchHead).flatten();              // (K)
        // 6. one gather of all corners, one weighted sum per (batch, query, head)
        //    (torch.embedding, i.e. index_select of whole rows: about 4x faster than advanced indexing here)
        NDArray corners = rows.getNDArrayInternal()
                .embedding(rows, value.reshape(n * s * m, d), SparseFormat.DENSE).singletonOrThrow(); // (K, D)
        corners.attach(mgr);
        NDArray out = like(wgt, value).matMul(corners.reshape(n * lq * m, levels * p * 4, d)); // (N*Lq*M, 1, D)
        return out.reshape(n, lq, m * d);                                      // (N, Lq, M*D)
    }

    /**
     * 1-D sin-cos position embedding (MAE's {@code get_1d_sincos_pos_embed_from_grid}): for position p and
     * frequency {@code omega_i = 1 / 10000^(i / (dim/2))}, {@code [sin(p omega), cos(p omega)]}.
     *
     * @return (positions.length, dim)
     */
    public static float[][] sinCos1d(int dim, float[] positions) {
        int half = dim / 2;
        float[][] out = new float[positions.length][dim];
        for (int i = 0; i < positions.length; i++) {
            for (int j = 0; j < half; j++) {
                double omega = 1.0 / Math.pow(10000.0, j / (double) half);
                double a = positions[i] * omega;
                out[i][j] = (float) Math.sin(a);
                out[i][j + half] = (float) Math.cos(a);
            }
        }
        return out;
    }

    /**
     * 2-D sin-cos position embedding (MAE's {@code get_2d_sincos_pos_embed}, no cls token): half the channels
     * encode the column (w), half the row (h), over a {@code gh x gw} grid, row-major.
     *
     * @return (gh*gw, dim)
     */
    public static NDArray sinCos2d(NDManager manager, int dim, int gh, int gw) {
        float[] rows = new float[gh * gw];
        float[] cols = new float[gh * gw];
        for (int i = 0; i < gh; i++) {
            for (int j = 0; j < gw; j++) {
                rows[i * gw + j] = i;
                cols[i * gw + j] = j;
            }
        }
        // MAE: grid = meshgrid(grid_w, grid_h), emb_h uses grid[0] (= w coordinate), emb_w uses grid[1] (= h)
        float[][] a = sinCos1d(dim / 2, cols);
        float[][] b = sinCos1d(dim / 2, rows);
        float[] flat = new float[gh * gw * dim];
        for (int i = 0; i < gh * gw; i++) {
            System.arraycopy(a[i], 0, flat, i * dim, dim / 2);
            System.arraycopy(b[i], 0, flat, i * dim + dim / 2, dim / 2);
        }
        return manager.create(flat, new ai.djl.ndarray.types.Shape(gh * gw, dim));
    }
}
