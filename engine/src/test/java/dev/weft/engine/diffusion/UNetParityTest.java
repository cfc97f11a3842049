package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.weft.engine.config.MmfsConfig;
import dev.weft.engine.config.UNetConfig;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The whole UNet2DConditionModel + MMFSNet against engine/training/fixtures/export_unet.py (batch 2, random
 * condition and features, sample 1's image slot hidden; and a classifier-free-guidance call), and the SD 2.1-base
 * parameter count in SHAPES mode.
 */
class UNetParityTest {
    /** export_unet.py fixture_config(): tiny with layers_per_block 2 and half widths (kept under 1 MB). */
    static UNetConfig fixtureConfig() {
        return new UNetConfig(4, 4, List.of(16, 32), 2, List.of(2, 4), 16, 4, 1e-5, 8, true,
                MmfsConfig.unetTiny());
    }

    static final int FEATURE_CHANNELS = 16;
    static final int[] FEATURE_SIZES = {16, 8, 4, 2};

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    private static MmfsInput features(Fixture f, NDArray mask) {
        List<NDArray> feats = new ArrayList<>();
        for (int l = 0; l < FEATURE_SIZES.length; l++) {
            feats.add(f.get("feature." + l));                      // (B, 1, Cv, h, w)
        }
        return new MmfsInput(feats, mask);
    }

    @Test
    void unetWithMmfsNetMatchesTorch() {
        UNetConfig cfg = fixtureConfig();
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("unet", m)) {
            Params params = Params.load(f.weights(), m);
            UNet2DConditionModel unet = new UNet2DConditionModel(params.root().pp("unet"),
                    params.root().pp("mmfs_module"), cfg, FEATURE_CHANNELS, FEATURE_SIZES);
            params.requireComplete();

            NDArray sample = f.get("sample");
            NDArray t = f.get("timesteps");
            NDArray ctx = f.get("context");
            MmfsInput mmfs = features(f, f.get("mask"));
            Tolerances.assertClose("unet (no MMFSNet)", f.get("out_without_mmfs"),
                    unet.forward(sample, t, ctx, (MmfsInput) null), Tolerances.BLOCK);
            Tolerances.assertClose("unet + mmfsnet (sample 1 hidden)", f.get("out"),
                    unet.forward(sample, t, ctx, mmfs), Tolerances.BLOCK);

            // classifier-free guidance: [uncond, cond] in one batch, one timestep, the features repeated
            NDArray one = f.get("mask").get("0:1");                                   // (1, 1)
            List<NDArray> first = new ArrayList<>();
            for (NDArray x : mmfs.features()) {
                first.add(x.get("0:1"));                                              // (1, 1, Cv, h, w)
            }
            MmfsInput cfgIn = new MmfsInput(first, one).repeatBatch(2);
            NDArray latent = f.get("cfg.sample");
            NDArray out = unet.forward(latent.concat(latent, 0), 500f, f.get("cfg.context"), cfgIn);
            Tolerances.assertClose("unet + mmfsnet (CFG batch)", f.get("cfg.out"), out, Tolerances.BLOCK);
        }
    }

    /**
     * The same UNet + MMFSNet call with fp16 weights, context and features (the latents stay fp32, as the pipeline
     * keeps them; the prediction comes back fp32). Tolerance {@link #FP16_EPS}: fp16 keeps 11 significant bits (a unit
     * in the last place is 9.8e-4 at 1 to 2, the outputs' magnitude); measured max diff 3.7e-3, about 4 units, and
     * the tolerance is about 3x that.
     */
    @Test
    void unetInFp16StaysClose() {
        UNetConfig cfg = fixtureConfig();
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("unet", m)) {
            Params params = Params.load(f.weights(), m, DataType.FLOAT16);
            UNet2DConditionModel unet = new UNet2DConditionModel(params.root().pp("unet"),
                    params.root().pp("mmfs_module"), cfg, FEATURE_CHANNELS, FEATURE_SIZES);
            params.requireComplete();
            List<NDArray> feats = new ArrayList<>();
            for (int l = 0; l < FEATURE_SIZES.length; l++) {
                feats.add(f.get("feature." + l).toType(DataType.FLOAT16, false));  // (B, 1, Cv, h, w)
            }
            NDArray out = unet.forward(f.get("sample"), f.get("timesteps"),
                    f.get("context").toType(DataType.FLOAT16, false), new MmfsInput(feats, f.get("mask")));
            assertEquals(DataType.FLOAT32, out.getDataType());
            Tolerances.assertClose("unet + mmfsnet (fp16)", f.get("out"), out, FP16_EPS);
        }
    }

    static final double FP16_EPS = 1e-2;

    /** The same call with the attention and MMFS query chunking forced down to a few rows per chunk. */
    @Test
    void chunkedAttentionAndMmfsMatchTorch() {
        UNetConfig cfg = fixtureConfig();
        long scores = Attention.maxScores;
        long samples = MmfsBlock.maxSamples;
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("unet", m)) {
            Attention.maxScores = 2 * 4 * 64 * 5;     // 5 query rows per chunk at the 8 x 8 level
            MmfsBlock.maxSamples = 2 * 32 * 16 * 4 * 7; // 7 positions per chunk (4 bilinear corners each)
            Params params = Params.load(f.weights(), m);
            UNet2DConditionModel unet = new UNet2DConditionModel(params.root().pp("unet"),
                    params.root().pp("mmfs_module"), cfg, FEATURE_CHANNELS, FEATURE_SIZES);
            NDArray out = unet.forward(f.get("sample"), f.get("timesteps"), f.get("context"),
                    features(f, f.get("mask")));
            Tolerances.assertClose("unet + mmfsnet (chunked)", f.get("out"), out, Tolerances.BLOCK);
        } finally {
            Attention.maxScores = scores;
            MmfsBlock.maxSamples = samples;
        }
    }

    /** INIT mode: MMFSNet's zero-initialised 1x1 convs make a fresh MMFSNet a no-op; pos_embed gets MMI's table. */
    @Test
    void freshMmfsNetIsANoOp() {
        UNetConfig cfg = UNetConfig.tiny();
        VisionConfig vision = VisionConfig.tiny();
        try (NDManager m = NDManager.newBaseManager()) {
            Params params = Params.init(m, 7);
            UNet2DConditionModel unet = new UNet2DConditionModel(params.root().pp("unet"),
                    params.root().pp("mmfs_module"), cfg, vision);
            NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(2, 4, 8, 8));
            NDArray ctx = m.randomNormal(new ai.djl.ndarray.types.Shape(2, 7, cfg.crossAttentionDim()));
            MmfsInput empty = MmfsInput.empty(m, 2, vision.hiddenSize(), vision.featureSizes());
            NDArray with = unet.forward(x, 500f, ctx, empty);
            NDArray without = unet.forward(x, 500f, ctx, (MmfsInput) null);
            Tolerances.assertClose("fresh MMFSNet residuals", without, with, 0.0);
        }
    }

    @Test
    void rejectsBadShapes() {
        UNetConfig cfg = fixtureConfig();
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("unet", m)) {
            Params params = Params.load(f.weights(), m);
            UNet2DConditionModel unet = new UNet2DConditionModel(params.root().pp("unet"),
                    params.root().pp("mmfs_module"), cfg, FEATURE_CHANNELS, FEATURE_SIZES);
            NDArray ctx = f.get("context");
            assertThrows(IllegalArgumentException.class,
                    () -> unet.forward(m.zeros(new ai.djl.ndarray.types.Shape(2, 4, 7, 7)), 1f, ctx, null));
            assertThrows(IllegalArgumentException.class,
                    () -> unet.forward(f.get("sample"), 1f, ctx.get(":, :, :8"), null));
        }
    }

    /** SHAPES mode: the published UNet (865,910,724 parameters in diffusers) and MMFSNet, without allocating. */
    @Test
    void sd21BaseParameterCounts() {
        UNetConfig cfg = UNetConfig.sd21Base();
        VisionConfig vision = VisionConfig.clipVitL14();
        Params unetOnly = Params.shapesOnly();
        new UNet2DConditionModel(unetOnly.root().pp("image_decoder.decoder.unet"), cfg);
        Params mmfsOnly = Params.shapesOnly();
        new MmfsNet(mmfsOnly.root().pp("image_decoder.decoder.mmfs_module"), cfg, vision.hiddenSize(),
                vision.featureSizes());
        System.out.printf("SD 2.1-base UNet parameters: %,d (%.1f M)%n", unetOnly.parameterCount(),
                unetOnly.parameterCount() / 1e6);
        System.out.printf("MMFSNet parameters (13 blocks): %,d (%.1f M)%n", mmfsOnly.parameterCount(),
                mmfsOnly.parameterCount() / 1e6);
        assertEquals(865_910_724L, unetOnly.parameterCount());
        assertEquals(12, cfg.numDownSkips());
    }
}
