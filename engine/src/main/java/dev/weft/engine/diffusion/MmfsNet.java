package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.UNetConfig;
import dev.weft.engine.nn.Scoped;
import dev.weft.engine.nn.WeightPath;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MM-Interleaved's {@code MMFSNet} ({@code MMI: models/decoders/sd_mmfs.py}): a ControlNet-style residual
 * injection into the SD UNet, one {@link MmfsBlock} per down-path skip tensor ({@code mmfs_down_blocks.{i}},
 * {@link UNetConfig#numDownSkips()}, 12 for SD: conv_in, then per block its resnets and its downsampler) and one
 * for the mid-block output ({@code mmfs_mid_block}). The patched UNet forward
 * ({@code utils/monkey_patch/sd_unet_forward_monkey_patch.py}) calls it after the mid block and before the up path:
 * {@code skip_i += block_i(skip_i)}, {@code mid += mid_block(mid)}.
 *
 * <p>Dimensions: B batch, N image slots, L levels, Cv feature channels, S = sum of h_l w_l, D MMFS inner width,
 * C_i channels of skip i.
 *
 * <p>Block i runs at its skip's resolution r_i, which is also its MMFS {@code base_spatial_shape} (64/32/16/8 for
 * SD, the reference's {@code [64, 32, 16, 8][i // 3]}, i.e. this rule for {@code layers_per_block} 2); the
 * position table's grid is the latent size ({@link UNetConfig#sampleSize()}, the reference's 64).
 */
public final class MmfsNet {
    private final MmfsBlock[] downBlocks;
    private final MmfsBlock midBlock;
    private final int[] featureSizes;
    private final int featureChannels;

    /** The image features after every block's {@code feat_norm} and {@code value_proj}, reusable across steps. */
    public record Prepared(List<NDArray> values, NDArray midValue, long[][] levelShapes, NDArray mask) {
        public long batch() {
            return mask.getShape().get(0);
        }
    }

    /**
     * @param p the {@code mmfs_module} prefix
     * @param cfg the UNet (widths, layers per block, latent size) and its MMFS sizes
     * @param featureChannels Cv (vision width, 1024)
     * @param featureSizes side of each feature level, as the model was built with (64, 32, 16, 8)
     */
    public MmfsNet(WeightPath p, UNetConfig cfg, int featureChannels, int[] featureSizes) {
        this.featureSizes = featureSizes.clone();
        this.featureChannels = featureChannels;
        int[] res = skipResolutions(cfg);
        int[] ch = skipChannels(cfg);
        int grid = cfg.sampleSize();
        this.downBlocks = new MmfsBlock[res.length];
        for (int i = 0; i < res.length; i++) {
            downBlocks[i] = new MmfsBlock(p.pp("mmfs_down_blocks").pp(i), cfg.mmfs(), ch[i], featureChannels, grid,
                    featureSizes, res[i]);
        }
        int n = cfg.blockOutChannels().size();
        this.midBlock = new MmfsBlock(p.pp("mmfs_mid_block"), cfg.mmfs(), cfg.blockOutChannels().get(n - 1),
                featureChannels, grid, featureSizes, cfg.sampleSize() >> (n - 1));
    }

    /** Resolution of each down skip: conv_in, then per block its resnets and (all but last) its downsampler. */
    public static int[] skipResolutions(UNetConfig cfg) {
        int n = cfg.blockOutChannels().size();
        int[] r = new int[cfg.numDownSkips()];
        int k = 0;
        r[k++] = cfg.sampleSize();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < cfg.layersPerBlock(); j++) {
                r[k++] = cfg.sampleSize() >> i;
            }
            if (i < n - 1) {
                r[k++] = cfg.sampleSize() >> (i + 1);
            }
        }
        return r;
    }

    /** Channels of each down skip, in the same order. */
    public static int[] skipChannels(UNetConfig cfg) {
        List<Integer> ch = cfg.blockOutChannels();
        int[] c = new int[cfg.numDownSkips()];
        int k = 0;
        c[k++] = ch.get(0);
        for (int i = 0; i < ch.size(); i++) {
            for (int j = 0; j < cfg.layersPerBlock(); j++) {
                c[k++] = ch.get(i);
            }
            if (i < ch.size() - 1) {
                c[k++] = ch.get(i);
            }
        }
        return c;
    }

    public int[] featureSizes() {
        return featureSizes.clone();
    }

    public int featureChannels() {
        return featureChannels;
    }

    /**
     * Flattens the features to (B, N, S, Cv) and runs every block's {@code feat_norm} and {@code value_proj}.
     * The result depends only on the image: compute it once and pass it to every denoising step. It holds one
     * (B, N, S, D) tensor per block: 13 x 2 x 5440 x 1024 floats, about 580 MB, for SD under classifier-free
     * guidance; where memory is tighter, pass the {@link MmfsInput} to every step instead (recomputed each time).
     */
    public Prepared prepare(MmfsInput in) {
        int levels = in.features().size();
        if (levels != featureSizes.length) {
            throw new IllegalArgumentException("mmfs features: expected " + featureSizes.length + " levels "
                    + Arrays.toString(featureSizes) + ", found " + levels);
        }
        // 1. (B, N, Cv, h, w) per level -> (B, N, S, Cv), levels concatenated
        long[][] shapes = new long[levels][];
        NDList flat = new NDList();
        for (int l = 0; l < levels; l++) {
            NDArray f = in.level5d(l);                                            // (B, N, Cv, h, w)
            Shape s = f.getShape();
            if (s.get(2) != featureChannels || s.get(3) != featureSizes[l] || s.get(4) != featureSizes[l]) {
                throw new IllegalArgumentException("mmfs features[" + l + "]: expected (B, N, " + featureChannels
                        + ", " + featureSizes[l] + ", " + featureSizes[l] + "), found " + s);
            }
            shapes[l] = new long[] {s.get(3), s.get(4)};
            flat.add(f.reshape(s.get(0), s.get(1), s.get(2), s.get(3) * s.get(4)).transpose(0, 1, 3, 2)); // (B, N, hw, Cv)
        }
        NDArray feats = NDArrays.concat(flat, 2);                                 // (B, N, S, Cv)
        // 2. per block: feat_norm, value_proj, each in its own scope so only the values stay (the norm's
        //    fp32 copies of all the features would otherwise stay for every block until the caller's scope ends)
        List<NDArray> values = new ArrayList<>();
        for (MmfsBlock blk : downBlocks) {
            values.add(Scoped.run(() -> blk.projectFeatures(feats)));             // (B, N, S, D)
        }
        NDArray mid = Scoped.run(() -> midBlock.projectFeatures(feats));          // (B, N, S, D)
        feats.close();
        return new Prepared(values, mid, shapes, in.mask());
    }

    /**
     * Adds the residuals: replaces {@code skips.get(i)} with {@code skip_i + block_i(skip_i)} and returns
     * {@code mid + mid_block(mid)}.
     *
     * @param mid the mid-block output (B, C_last, h, w)
     * @param skips the down skips, {@link UNetConfig#numDownSkips()} of them, in order; updated in place
     */
    public NDArray apply(NDArray mid, List<NDArray> skips, Prepared f) {
        if (skips.size() != downBlocks.length) {
            throw new IllegalArgumentException("down skips: expected " + downBlocks.length + ", found " + skips.size());
        }
        if (f.batch() != mid.getShape().get(0)) {
            throw new IllegalArgumentException("mmfs mask: expected batch " + mid.getShape().get(0) + ", found "
                    + f.mask().getShape());
        }
        // 1. down skips
        for (int i = 0; i < downBlocks.length; i++) {
            NDArray s = skips.get(i);
            skips.set(i, s.add(downBlocks[i].forward(s, f.values().get(i), f.levelShapes(), f.mask())));
        }
        // 2. mid output
        return mid.add(midBlock.forward(mid, f.midValue(), f.levelShapes(), f.mask()));
    }
}
