package dev.weft.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.diffusion.schedulers.Scheduler;
import dev.weft.engine.diffusion.schedulers.SchedulerKind;
import dev.weft.engine.diffusion.schedulers.StepNoise;
import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.GenerationListener;
import dev.weft.engine.pipeline.InterleavedSession;
import dev.weft.engine.pipeline.Rng;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tiny model's text-to-image on a CUDA GPU gives the CPU's picture (the [0, 1] pixels before quantisation within
 * 1/255, the cuDNN convolutions running in TF32), and the bundled weft-small in fp16 on the GPU gives its fp32 picture within {@link #FP16_MAX} (max) and
 * {@link #FP16_MEAN} (mean) with its weights in fp16 on the device. Skips itself, saying why, where DJL sees no GPU
 * (the CPU libtorch, or no CUDA device); see docs/gpu-guide.md for running it on a GPU machine.
 */
class GpuSmokeTest {
    static final Path TINY = Path.of("../assets/tiny");
    static final Path SMALL = Path.of("../assets/weft-small");
    /**
     * fp16 against fp32 on the GPU, pixels in [0, 1]: 8 and 1 levels of 255. Measured on the GPU machine (H200):
     * max 4.78/255, mean 0.096/255; on the CPU the tiny model's difference is max 0.90/255, mean 0.085/255
     * ({@link Fp16Test}).
     */
    static final double FP16_MAX = 8 / 255.0;
    static final double FP16_MEAN = 1 / 255.0;

    @BeforeAll
    static void needsLibtorch() {
        NativeTests.assumeNative();
    }

    /** {@code <s>prompt<|beginofimage|>}, 5 DDIM steps with guidance, the decoded (1, 3, H, W) pixels in [0, 1]. */
    static float[] paint(Device device) {
        return paint(TINY, device, Precision.FP32);
    }

    static float[] paint(Path model, Device device, Precision precision) {
        try (Engine e = Engine.load(model, device, precision); NDManager run = NDManager.newBaseManager(device);
             InterleavedSession s = new InterleavedSession(e.model(), run)) {
            if (precision == Precision.FP16) {
                NDArray w = e.model().textDecoder.head.weight;
                assertEquals(DataType.FLOAT16, w.getDataType(), "LLM head weight");
                assertEquals(device, w.getDevice());
                assertEquals(DataType.FLOAT16, e.model().mmDecoder.embedTokens.getDataType(), "token embeddings");
                assertEquals(DataType.FLOAT16, e.model().context.soiToken().getDataType(), "soi_token");
                assertEquals(DataType.FLOAT32, e.model().vae.decoder.convIn.weight.getDataType(), "the VAE stays fp32");
            }
            ModelConfig cfg = e.config();
            List<Integer> ids = new ArrayList<>(List.of(cfg.tokens().bos()));
            ids.addAll(e.tokenizer().encode("a red circle on grass"));
            ids.add(cfg.tokens().boi());
            s.appendTokens(ids);
            int side = cfg.unet().sampleSize();
            NDArray latents = new Rng(42).normal(run, new Shape(1, cfg.unet().inChannels(), side, side));
            try (Scheduler sched = SchedulerKind.parse("ddim").create(cfg.scheduler())) {
                NDArray img = s.paint(run, sched, 5, 7.5f, latents, StepNoise.seeded(7), GenerationListener.NONE,
                        CancellationToken.NEVER);
                assertEquals(device, img.getDevice());
                return img.toFloatArray();
            }
        }
    }

    @Test
    void textToImageOnTheGpuMatchesTheCpu() {
        assumeTrue(Devices.gpuCount() > 0, "no CUDA GPU visible to DJL (" + Devices.flavour()
                + "): GPU smoke test skipped");
        long t0 = System.nanoTime();
        float[] cpu = paint(Device.cpu());
        long t1 = System.nanoTime();
        float[] gpu = paint(Device.gpu());
        long t2 = System.nanoTime();
        assertEquals(cpu.length, gpu.length);
        double max = Tolerances.Diff.of(cpu, gpu).max();
        System.out.printf("GPU smoke: %d pixels, max |cpu - gpu| %.2e; cpu %.1f s, gpu %.1f s (%s)%n", cpu.length, max,
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, Devices.flavour());
        // cuDNN's convolutions run in TF32 by default (libtorch's allow_tf32 for cuDNN), 10 mantissa bits: on the GPU
        // machine the tiny model's picture came out 1.13e-3 from the CPU's, so the bound is one 8-bit step, 1/255
        assertTrue(max <= 1 / 255.0, "max |cpu - gpu| = " + max);
    }

    @Test
    void fp16OnTheGpuStaysCloseToFp32() {
        assumeTrue(Devices.gpuCount() > 0, "no CUDA GPU visible to DJL (" + Devices.flavour()
                + "): GPU fp16 smoke test skipped");
        long t0 = System.nanoTime();
        float[] full = paint(SMALL, Device.gpu(), Precision.FP32);
        long t1 = System.nanoTime();
        float[] half = paint(SMALL, Device.gpu(), Precision.FP16);
        long t2 = System.nanoTime();
        assertEquals(full.length, half.length);
        Tolerances.Diff diff = Tolerances.Diff.of(full, half);
        double max = diff.max();
        double mean = diff.mean();
        System.out.printf("GPU fp16 smoke (weft-small): %d values, max |fp32 - fp16| %.4f (%.2f/255), mean %.5f "
                        + "(%.3f/255); fp32 %.1f s, fp16 %.1f s (%s)%n", full.length, max, max * 255, mean, mean * 255,
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, Devices.flavour());
        assertTrue(max <= FP16_MAX, "max |fp32 - fp16| = " + max * 255 + "/255");
        assertTrue(mean <= FP16_MEAN, "mean |fp32 - fp16| = " + mean * 255 + "/255");
    }

    /** Without a GPU, asking for one is a clear error. */
    @Test
    void askingForAGpuWithoutOneSaysSo() {
        assumeTrue(Devices.gpuCount() == 0, "a GPU is visible");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.resolve("gpu"));
        assertTrue(e.getMessage().startsWith("--device gpu: no CUDA GPU visible to DJL (engine flavour PyTorch "),
                e.getMessage());
        assertEquals(Device.cpu(), Devices.resolve("CPU"));
        assertThrows(IllegalArgumentException.class, () -> Devices.resolve("tpu"));
    }

    /** Without a GPU, loading a model onto one is refused in one line (not libtorch's CUDA backend error). */
    @Test
    void loadingOntoAGpuWithoutOneSaysSo() {
        assumeTrue(Devices.gpuCount() == 0, "a GPU is visible");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Engine.load(Path.of("../assets/tiny"), Device.gpu()));
        assertTrue(e.getMessage().startsWith("gpu(0): no CUDA GPU visible to DJL (engine flavour PyTorch "),
                e.getMessage());
    }
}
