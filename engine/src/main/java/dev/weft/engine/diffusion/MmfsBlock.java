package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.MmfsConfig;
import dev.weft.engine.mmfs.Mmfs;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.LayerNorm;
import dev.weft.engine.nn.Params;
import dev.weft.engine.nn.Scoped;
import dev.weft.engine.nn.WeightPath;
import dev.weft.engine.qformer.MmiPosEmbed;

import java.util.HashMap;
import java.util.Map;

/**
 * MM-Interleaved's {@code MMFSBlock} ({@code MMI: models/decoders/sd_mmfs.py}): lets every position of a UNet
 * feature map sample the previous image's multi-scale features around the same relative location, and returns a
 * residual for that map.
 *
 * <p>Dimensions: B batch, C channels of the UNet map (320/640/1280), H, W its size, G the position-table grid
 * (64), N image slots, S positions per image (sum of h_l w_l), Cv feature channels (1024), D MMFS inner width
 * (1024).
 *
 * <pre>
 *   q   = query_norm(x as (B, H*W, C)) + pos_embed resized to H x W          (B, HW, C)
 *   v   = value_proj(feat_norm(features))                                  (B, N, S, D)
 *   out = mmfs(q, reference points = pixel centres of the H x W map, v, mask)   (B, HW, C)
 *   res = conv(out as (B, C, H, W))                                          1x1, zero-initialised
 * </pre>
 *
 * <p>Parameters: {@code query_norm} (LayerNorm C, eps 1e-6), {@code feat_norm} (LayerNorm Cv, eps 1e-6),
 * {@code mmfs.*} ({@link Mmfs}: d_model = D, d_query = d_out = C, d_value = Cv, ratio 1), {@code pos_embed}
 * (G*G, C), {@code conv} (1x1, C to C). {@code pos_embed} is a frozen {@code nn.Parameter} (so it is in the
 * checkpoint and loaded); it holds MMI's 2-D sin-cos table ({@code utils/pos_embed.py}, first half of the
 * channels encoding the row, second half the column: the reverse of MAE's order); in {@link Params.Mode#INIT} that
 * table is computed here ({@link MmiPosEmbed#sinCos2d}). For a map smaller than G x G it is resized bicubically
 * (align_corners False), as the reference's {@code get_abs_pos} ({@link MmiPosEmbed#absPos}); maps must then be
 * square. At SD's 64 x 64 level the deformable sampling would materialise about 4 G values at once (B 2, 16 heads,
 * 64 channels, 4096 positions, 4 levels x 8 points x 4 bilinear corners); the positions are processed in chunks instead (same result).
 */
public final class MmfsBlock {
    /** Largest gathered-corners tensor of one MMFS call (elements): 2^26 = 256 MB of fp32. */
    public static final long MAX_SAMPLES = 1L << 26;
    static long maxSamples = MAX_SAMPLES; // not final: tests lower it to exercise the chunked path

    private final LayerNorm queryNorm;
    private final LayerNorm featNorm;
    private final Mmfs mmfs;
    private final NDArray posEmbed; // (G*G, C)
    private final Conv2d conv;
    private final int channels;
    private final int grid;
    private final Map<Long, NDArray> posCache = new HashMap<>();
    private final Map<Long, NDArray> refCache = new HashMap<>();

    /**
     * @param p prefix ({@code mmfs_module.mmfs_down_blocks.{i}} or {@code mmfs_module.mmfs_mid_block})
     * @param mc MMFS sizes (heads, levels, points, inner width D, max images)
     * @param channels C
     * @param featureChannels Cv
     * @param grid G (the latent size: 64 for SD, the reference's {@code 64 // downsample_factor})
     * @param featureSizes side of each feature level (64, 32, 16, 8)
     * @param baseSpatialShape the UNet resolution this block runs at; MMFS scales level l's offsets by
     *                         {@code featureSizes[l] / baseSpatialShape}
     */
    public MmfsBlock(WeightPath p, MmfsConfig mc, int channels, int featureChannels, int grid, int[] featureSizes,
                     int baseSpatialShape) {
        this.channels = channels;
        this.grid = grid;
        this.queryNorm = new LayerNorm(p.pp("query_norm"), channels, 1e-6f);
        this.featNorm = new LayerNorm(p.pp("feat_norm"), featureChannels, 1e-6f);
        this.mmfs = new Mmfs(p.pp("mmfs"), mc, channels, featureChannels, channels, featureSizes, baseSpatialShape);
        NDArray pe = p.get("pos_embed", Init.zeros(), (long) grid * grid, channels);
        if (p.params().mode() == Params.Mode.INIT) {
            pe = MmiPosEmbed.sinCos2d(p.params().manager(), channels, grid, false).toType(p.dataType(), false);
        }
        this.posEmbed = pe;
        // zero_module in the reference
        this.conv = new Conv2d(p.pp("conv"), channels, channels, 1, 1, 0, 1, true, Init.zeros());
    }

    /**
     * {@code value_proj(feat_norm(features))}: depends only on the image, so it can be computed once per image and
     * reused for every denoising step.
     *
     * @param features (B, N, S, Cv)
     * @return (B, N, S, D)
     */
    public NDArray projectFeatures(NDArray features) {
        return mmfs.projectValue(featNorm.forward(features));
    }

    /**
     * @param x the UNet map (B, C, H, W)
     * @param value {@link #projectFeatures} of the features (B, N, S, D)
     * @param levelShapes {h, w} of each level of one image
     * @param mask (B, N)
     * @return the residual for x, (B, C, H, W)
     */
    public NDArray forward(NDArray x, NDArray value, long[][] levelShapes, NDArray mask) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != channels) {
            throw new IllegalArgumentException("sample: expected (B, " + channels + ", H, W), found " + s);
        }
        long b = s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        // 1. query: the map's positions, query_norm, plus the (resized) position table
        NDArray q = x.transpose(0, 2, 3, 1).reshape(b, (long) h * w, channels); // (B, HW, C)
        q = queryNorm.forward(q).add(positions(h, w));                           // (B, HW, C)
        // 2. MMFS with the pixel centres as reference points
        NDArray ref = refCache.computeIfAbsent(((long) h << 32) | w,
                k -> Mmfs.gridReferencePoints(posEmbed.getManager(), h, w));      // (1, HW, 2)
        //    in chunks of query positions (each position's output depends only on itself), bounding the
        //    gathered-corners tensor (B*chunk*M, N*L*P*4, Dh) to about maxSamples elements
        long hwl = (long) h * w;
        long perQuery = b * value.getShape().get(1) * value.getShape().get(3) * mmfs.numLevels() * mmfs.numPoints()
                * 4;
        long chunk = Math.max(1, maxSamples / perQuery);
        NDArray out;
        if (chunk >= hwl) {
            out = mmfs.forwardProjected(q, ref, value, levelShapes, mask);           // (B, HW, C)
        } else {
            NDList parts = new NDList();
            NDArray query = q;
            for (long a = 0; a < hwl; a += chunk) {
                String r = ":, " + a + ":" + Math.min(hwl, a + chunk);
                // each chunk in its own scope: its gathered corners are freed before the next chunk, so the
                // peak is one chunk's, not all of them (32 chunks of 256 MB at SD's 64 x 64 level in fp32)
                parts.add(Scoped.run(() -> mmfs.forwardProjected(query.get(r), ref.get(r), value, levelShapes,
                        mask)));                                                           // (B, HWc, C)
            }
            out = NDArrays.concat(parts, 1);                                          // (B, HW, C)
        }
        // 3. back to a map, zero-initialised 1x1 conv
        out = out.reshape(b, h, w, channels).transpose(0, 3, 1, 2);               // (B, C, H, W)
        return conv.forward(out);
    }

    /** {@code get_abs_pos(pos_embed, H*W)}: the table itself, or bicubically resized to sqrt(HW) x sqrt(HW). */
    private NDArray positions(int h, int w) {
        long hw = (long) h * w;
        int tgt = (int) Math.sqrt((double) hw);
        if (tgt == grid) {
            return posEmbed;
        }
        if (h != w) {
            throw new IllegalArgumentException("sample: the position table (" + grid + "x" + grid
                    + ") is resized only for square maps, found " + h + "x" + w);
        }
        return posCache.computeIfAbsent(hw, k -> MmiPosEmbed.absPos(posEmbed, tgt));     // (HW, C)
    }
}
