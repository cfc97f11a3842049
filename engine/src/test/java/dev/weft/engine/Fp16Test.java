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
import dev.weft.engine.image.Images;
import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.GenerationListener;
import dev.weft.engine.pipeline.InterleavedSession;
import dev.weft.engine.pipeline.Rng;
import dev.weft.engine.pipeline.SamplingOptions;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiny model in fp16 against itself in fp32 on the CPU (libtorch 2.7.1's CPU kernels run every op the engine
 * uses in fp16, slowly), on the same seeds: the weights really are fp16 (the VAE's fp32), the activations the
 * session keeps are fp16, a text-to-image picture stays close and a greedy caption is the same.
 */
class Fp16Test {
    static final Path TINY = Path.of("../assets/tiny");
    static Engine fp32;
    static Engine fp16;

    @BeforeAll
    static void load() {
        NativeTests.assumeNative();
        fp32 = Engine.load(TINY, Device.cpu(), Precision.FP32);
        fp16 = Engine.load(TINY, Device.cpu(), Precision.FP16);
    }

    @AfterAll
    static void close() {
        if (fp32 != null) {
            fp32.close();
        }
        if (fp16 != null) {
            fp16.close();
        }
    }

    @Test
    void weightsAreHalfExceptTheVae() {
        assertEquals(Precision.FP16, fp16.precision());
        assertEquals(Precision.FP32, fp32.precision());
        var m = fp16.model();
        assertEquals(DataType.FLOAT16, m.textDecoder.head.weight.getDataType());
        assertEquals(DataType.FLOAT16, m.mmDecoder.embedTokens.getDataType());
        assertEquals(DataType.FLOAT32, m.vae.decoder.convIn.weight.getDataType());
    }

    /** {@code <s>prompt<|beginofimage|>}, 5 DDIM steps with guidance: the (1, 3, H, W) pixels in [0, 1]. */
    static float[] paint(Engine e, List<DataType> seen) {
        try (NDManager run = NDManager.newBaseManager(); InterleavedSession s = new InterleavedSession(e.model(), run)) {
            ModelConfig cfg = e.config();
            List<Integer> ids = new ArrayList<>(List.of(cfg.tokens().bos()));
            ids.addAll(e.tokenizer().encode("a red circle on grass"));
            ids.add(cfg.tokens().boi());
            s.appendTokens(ids);
            seen.add(s.hidden().getDataType());
            seen.add(s.conditionForLastBoi(run).getDataType());
            int side = cfg.unet().sampleSize();
            NDArray latents = new Rng(42).normal(run, new Shape(1, cfg.unet().inChannels(), side, side));
            try (Scheduler sched = SchedulerKind.parse("ddim").create(cfg.scheduler())) {
                NDArray img = s.paint(run, sched, 5, 7.5f, latents, StepNoise.seeded(7), GenerationListener.NONE,
                        CancellationToken.NEVER);
                seen.add(img.getDataType());
                return img.toFloatArray();
            }
        }
    }

    @Test
    void textToImageStaysCloseToFp32() {
        List<DataType> t32 = new ArrayList<>();
        List<DataType> t16 = new ArrayList<>();
        float[] a = paint(fp32, t32);
        float[] b = paint(fp16, t16);
        assertEquals(List.of(DataType.FLOAT32, DataType.FLOAT32, DataType.FLOAT32), t32);
        // hidden states and the UNet condition in fp16; the picture out of the fp32 VAE
        assertEquals(List.of(DataType.FLOAT16, DataType.FLOAT16, DataType.FLOAT32), t16);
        Tolerances.Diff diff = Tolerances.Diff.of(a, b);
        double max = diff.max();
        double mean = diff.mean();
        System.out.printf("fp16 vs fp32 (tiny, t2i): %d values, max |diff| %.4f (%.2f/255), mean %.5f (%.3f/255)%n",
                a.length, max, max * 255, mean, mean * 255);
        assertTrue(max <= MAX_DIFF, "max |fp16 - fp32| = " + max * 255 + "/255");
        assertTrue(mean <= MEAN_DIFF, "mean |fp16 - fp32| = " + mean * 255 + "/255");
    }

    /**
     * Picture tolerances in [0, 1]: measured max 0.90/255 and mean 0.085/255 (one 8-bit level is 1/255) with
     * libtorch 2.7.1 on the CPU; the bounds are about 4x and 6x those figures.
     */
    static final double MAX_DIFF = 4 / 255.0;
    static final double MEAN_DIFF = 0.5 / 255.0;

    /**
     * An image in context: the vision encoder, the LLM's MMFS over it and the UNet's MMFSNet on its features. On the
     * 8-bit pictures, measured max 2/255 and mean 0.119/255; the bounds are the t2i ones plus the 8-bit rounding.
     */
    @Test
    void imageAfterAnImageStaysClose() {
        SamplingOptions o = SamplingOptions.defaults().withSteps(3);
        BufferedImage map = fp32.textToImage("a blue square", o, GenerationListener.NONE, CancellationToken.NEVER);
        BufferedImage a = fp32.segmentToImage(map, "a red circle on grass", o, GenerationListener.NONE,
                CancellationToken.NEVER);
        BufferedImage b = fp16.segmentToImage(map, "a red circle on grass", o, GenerationListener.NONE,
                CancellationToken.NEVER);
        int max = 0;
        long sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff));
                    max = Math.max(max, d);
                    sum += d;
                }
            }
        }
        double mean = sum / (3.0 * a.getWidth() * a.getHeight());
        System.out.printf("fp16 vs fp32 (tiny, image after an image, 8-bit): max %d/255, mean %.3f/255%n", max, mean);
        assertTrue(max <= MAX_DIFF * 255 + 1, "max " + max + "/255 (one more level for the 8-bit rounding)");
        assertTrue(mean <= MEAN_DIFF * 255 + 0.5, "mean " + mean + "/255");
    }

    static List<Integer> caption(Engine e, BufferedImage img) {
        List<Integer> tokens = new ArrayList<>();
        SamplingOptions greedy = SamplingOptions.defaults().withText(0f, 1f, 1f, 12, 12);
        e.caption(img, greedy, new GenerationListener() {
            @Override
            public void onToken(int id, String text) {
                tokens.add(id);
            }
        }, CancellationToken.NEVER);
        return tokens;
    }

    @Test
    void greedyCaptionIsTheSame() {
        BufferedImage img = fp32.textToImage("a red circle on grass", SamplingOptions.defaults().withSteps(3),
                GenerationListener.NONE, CancellationToken.NEVER);
        List<Integer> a = caption(fp32, img);
        List<Integer> b = caption(fp16, img);
        System.out.println("fp32 caption " + a + "\nfp16 caption " + b);
        assertTrue(!a.isEmpty());
        assertEquals(a, b);
    }
}
