package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.UNetConfig;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.GroupNorm;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers 0.20 {@code UNet2DConditionModel} in Stable Diffusion's layout, with MM-Interleaved's MMFSNet
 * (notes 1.4): the image decoder's noise predictor.
 *
 * <p>Dimensions: B batch (2 under classifier-free guidance: unconditional and conditional branch), Cin/Cout latent
 * channels (4), h, w latent size (64), C0..C_{n-1} block widths (320, 640, 1280, 1280), E time-embedding width
 * (4 C0), S conditioning tokens (77), Dc conditioning width (1024).
 *
 * <p>Layout: {@code time_embedding} (after the parameter-free sinusoidal {@code time_proj}), {@code conv_in},
 * {@code down_blocks.{0..n-2}} = CrossAttnDownBlock2D, {@code down_blocks.{n-1}} = DownBlock2D, {@code mid_block}
 * = UNetMidBlock2DCrossAttn, {@code up_blocks.0} = UpBlock2D, {@code up_blocks.{1..n-1}} = CrossAttnUpBlock2D,
 * {@code conv_norm_out} (GroupNorm), SiLU, {@code conv_out}. SD 2.x specifics come from the config:
 * {@code attentionHeadDim} is the number of heads per block (diffusers' misnamed field; head width = C_i / heads,
 * 64 for SD 2.x), {@code useLinearProjection} selects Linear proj_in/proj_out. The up blocks use the reversed
 * head counts; the mid block the last block's.
 *
 * <p>MMFSNet ({@link MmfsNet}, checkpoint prefix {@code image_decoder.decoder.mmfs_module}) runs after the mid
 * block and adds residuals to the {@link UNetConfig#numDownSkips()} down skips and the mid output
 * ({@code MMI: models/utils/monkey_patch/sd_unet_forward_monkey_patch.py}, "MODIFICATION START").
 * Passing {@code null} MMFS input skips MMFSNet (plain SD); MM-Interleaved always passes one: a document's first
 * image gets an empty, hidden slot ({@link MmfsInput#empty}), which is not the same as skipping.
 *
 * <p>Unused diffusers options (class embeddings, addition embeddings, attention masks, GLIGEN, adapters,
 * upsample-size forwarding) are not implemented: the latent size must be divisible by 2^(n-1).
 */
public final class UNet2DConditionModel {
    private final UNetConfig cfg;
    private final TimestepEmbedding timeEmbedding;
    private final Conv2d convIn;
    private final UNetDownBlock[] downBlocks;
    private final UNetMidBlock2DCrossAttn midBlock;
    private final UNetUpBlock[] upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;
    private final MmfsNet mmfsNet; // null when built without MMFSNet

    /** The UNet alone (no MMFSNet). */
    public UNet2DConditionModel(WeightPath unet, UNetConfig cfg) {
        this(unet, null, cfg, 0, null);
    }

    /**
     * The UNet with MMFSNet on the vision features of {@code vision} (width {@link VisionConfig#hiddenSize()},
     * levels {@link VisionConfig#featureSizes()}).
     *
     * @param unet {@code image_decoder.decoder.unet}
     * @param mmfsModule {@code image_decoder.decoder.mmfs_module}
     */
    public UNet2DConditionModel(WeightPath unet, WeightPath mmfsModule, UNetConfig cfg, VisionConfig vision) {
        this(unet, mmfsModule, cfg, vision.hiddenSize(), vision.featureSizes());
    }

    /**
     * @param unet {@code image_decoder.decoder.unet}
     * @param mmfsModule {@code image_decoder.decoder.mmfs_module}, or null for no MMFSNet
     * @param visionChannels Cv of the MMFS features (1024)
     * @param featureSizes sides of the feature levels (64, 32, 16, 8)
     */
    public UNet2DConditionModel(WeightPath unet, WeightPath mmfsModule, UNetConfig cfg, int visionChannels,
                                int[] featureSizes) {
        this.cfg = cfg;
        List<Integer> ch = cfg.blockOutChannels();
        List<Integer> heads = cfg.attentionHeadDim();
        int n = ch.size();
        int temb = cfg.timeEmbedDim();
        int g = cfg.normNumGroups();
        float eps = (float) cfg.normEps();
        int cd = cfg.crossAttentionDim();
        boolean lin = cfg.useLinearProjection();
        int layers = cfg.layersPerBlock();
        this.timeEmbedding = new TimestepEmbedding(unet.pp("time_embedding"), ch.get(0), temb);
        this.convIn = new Conv2d(unet.pp("conv_in"), cfg.inChannels(), ch.get(0), 3, 1, 1, true);
        // down: cross-attention in all but the last block, a downsampler in all but the last
        this.downBlocks = new UNetDownBlock[n];
        int out = ch.get(0);
        for (int i = 0; i < n; i++) {
            int in = out;
            out = ch.get(i);
            boolean last = i == n - 1;
            downBlocks[i] = new UNetDownBlock(unet.pp("down_blocks").pp(i), in, out, layers, temb, g, eps,
                    last ? 0 : heads.get(i), cd, lin, !last);
        }
        this.midBlock = new UNetMidBlock2DCrossAttn(unet.pp("mid_block"), ch.get(n - 1), temb, g, eps,
                heads.get(n - 1), cd, lin);
        // up: reversed widths and heads; no cross-attention in the first, an upsampler in all but the last
        this.upBlocks = new UNetUpBlock[n];
        out = ch.get(n - 1);
        for (int i = 0; i < n; i++) {
            int prev = out;
            out = ch.get(n - 1 - i);
            int in = ch.get(Math.max(n - 2 - i, 0));
            upBlocks[i] = new UNetUpBlock(unet.pp("up_blocks").pp(i), in, prev, out, layers, temb, g, eps,
                    i == 0 ? 0 : heads.get(n - 1 - i), cd, lin, i < n - 1);
        }
        this.convNormOut = new GroupNorm(unet.pp("conv_norm_out"), g, ch.get(0), eps);
        this.convOut = new Conv2d(unet.pp("conv_out"), ch.get(0), cfg.outChannels(), 3, 1, 1, true);
        this.mmfsNet = mmfsModule == null ? null : new MmfsNet(mmfsModule, cfg, visionChannels, featureSizes);
    }

    public UNetConfig config() {
        return cfg;
    }

    /** MMFSNet, or null when the model was built without it. */
    public MmfsNet mmfsNet() {
        return mmfsNet;
    }

    /**
     * {@link MmfsNet#prepare}: the per-image part of MMFSNet, to compute once and reuse for every step.
     * Under classifier-free guidance, prepare {@code input.repeatBatch(2)}.
     */
    public MmfsNet.Prepared prepareMmfs(MmfsInput input) {
        if (mmfsNet == null) {
            throw new IllegalStateException("this UNet was built without MMFSNet");
        }
        return mmfsNet.prepare(input);
    }

    /** As {@link #forward(NDArray, NDArray, NDArray, MmfsNet.Prepared)} with one timestep for the whole batch. */
    public NDArray forward(NDArray sample, float timestep, NDArray encoderHiddenStates, MmfsInput mmfs) {
        NDArray t = sample.getManager().create(new float[] {timestep});
        return forward(sample, t, encoderHiddenStates, mmfs);
    }

    /** As {@link #forward(NDArray, NDArray, NDArray, MmfsNet.Prepared)}, preparing the MMFS input first. */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray encoderHiddenStates, MmfsInput mmfs) {
        return forward(sample, timesteps, encoderHiddenStates, mmfs == null ? null : prepareMmfs(mmfs));
    }

    /**
     * Predicts the noise (epsilon).
     *
     * @param sample noisy latents (B, Cin, h, w), h and w divisible by 2^(n-1)
     * @param timesteps (B), or (1) / scalar for the whole batch
     * @param encoderHiddenStates conditioning (B, S, Dc)
     * @param mmfs prepared MMFS features with batch B ({@link #prepareMmfs}), or null to skip MMFSNet
     * @return (B, Cout, h, w) fp32, whatever the weights' type (the input is cast to it by conv_in)
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray encoderHiddenStates, MmfsNet.Prepared mmfs) {
        // mirrors sd_unet_forward_monkey_patch.py _custom_forward (diffusers 0.20 UNet2DConditionModel.forward)
        Shape s = sample.getShape();
        int n = downBlocks.length;
        int factor = 1 << (n - 1);
        if (s.dimension() != 4 || s.get(1) != cfg.inChannels() || s.get(2) % factor != 0 || s.get(3) % factor != 0) {
            throw new IllegalArgumentException("sample: expected (B, " + cfg.inChannels() + ", h, w) with h, w "
                    + "divisible by " + factor + ", found " + s);
        }
        long b = s.get(0);
        Shape es = encoderHiddenStates.getShape();
        if (es.dimension() != 3 || es.get(0) != b || es.get(2) != cfg.crossAttentionDim()) {
            throw new IllegalArgumentException("encoder_hidden_states: expected (" + b + ", S, "
                    + cfg.crossAttentionDim() + "), found " + es);
        }
        if (timesteps.getShape().size() != b && timesteps.getShape().size() != 1) {
            throw new IllegalArgumentException("timesteps: expected (" + b + ") or one value, found "
                    + timesteps.getShape());
        }
        if (mmfs != null && mmfsNet == null) {
            throw new IllegalStateException("MMFS input given, but this UNet was built without MMFSNet");
        }

        // 1. time: sinusoidal projection of the (broadcast) timesteps, then the MLP
        NDArray t = timesteps.reshape(-1);                                          // (B) or (1)
        if (t.getShape().get(0) != b) {
            t = t.broadcast(b);                                                     // (B)
        }
        NDArray emb = timeEmbedding.forward(t);                                      // (B, E)

        // 2. conv_in
        NDArray x = convIn.forward(sample);                                          // (B, C0, h, w)

        // 3. down path, collecting the skips (conv_in output first)
        List<NDArray> skips = new ArrayList<>();
        skips.add(x);
        for (UNetDownBlock blk : downBlocks) {
            x = blk.forward(x, emb, encoderHiddenStates, skips);
        }

        // 4. mid block
        x = midBlock.forward(x, emb, encoderHiddenStates);                           // (B, C_{n-1}, h/f, w/f)

        // 5. MMFSNet residuals on the skips and the mid output
        if (mmfs != null) {
            x = mmfsNet.apply(x, skips, mmfs);
        }

        // 6. up path, consuming the skips from the end
        ArrayDeque<NDArray> stack = new ArrayDeque<>(skips);
        for (UNetUpBlock blk : upBlocks) {
            x = blk.forward(x, stack, emb, encoderHiddenStates);
        }

        // 7. conv_norm_out, SiLU, conv_out; the prediction in fp32 for the scheduler
        return Ops.fp32(convOut.forward(Ops.silu(convNormOut.forward(x))));          // (B, Cout, h, w)
    }
}
