package dev.weft.engine.memory;

import ai.djl.Device;
import dev.weft.engine.Engine;
import dev.weft.engine.Precision;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.llm.KvCache;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory plan's arithmetic against numbers worked out by hand from the tiny config (written out below), the
 * 13b weights against the published figures, and the refusal to load with a small "available" figure (no native
 * library needed: the check comes before anything is allocated).
 */
class MemoryPlanTest {
    static final ModelConfig TINY = ModelConfig.tiny();

    /*
     * tiny: LLM D 64, I 128, 4 layers, 4 heads, context 512; vision 32 px / 4 px patches (grid 8, P = 65 tokens),
     * width 32, MLP 64, 2 heads, adapter maps 32, 16, 8, 4 (F = 1360), MMFS on the last 3 maps (16, 8,
     * 4 -> 336 positions) of width 32 in 2 LLM layers; 8 visual tokens; UNet blocks 32, 64, 1 layer each, heads 2, 4,
     * 8 x 8 latents; VAE blocks 8, 16, 16, 16 (factor 8) at 64 px; 1,260,161 parameters, largest tensor 73,728.
     */
    @Test
    void tinyTermsMatchTheHandComputedNumbers() {
        MemoryPlan p = MemoryPlan.of(TINY, Precision.FP32, MemoryPlan.Target.CPU, 512, 2);
        assertEquals(1_260_161, p.parameters());
        assertEquals(1_260_161L * 4, p.bytes("weights"));
        assertEquals(2L * 4 * 512 * 64 * 4, p.bytes("KV cache"));                         // 1,048,576
        // per image: 1360 x 32 + 8 x 64 + 2 x 336 x 32 (LLM side) + 2 x 5 x 1360 x 32 (guidance batch x 4 down
        // skips and the mid block x the 4 maps x UNet MMFS width 32) = 65,536 + 435,200 values
        assertEquals(2L * 500_736 * 4, p.bytes("images in context"));
        assertEquals(512L * 64 * 4, p.bytes("hidden states"));
        // LLM: 512 x (6 x 64 + 3 x 128) + 2 x 4 x 512² = 393,216 + 2,097,152
        assertEquals(2_490_368L * 4, p.activations().get("LLM over 512 tokens"));
        // vision: 65 x (6 x 32 + 64) + 2 x 2 x 65² + 8 x 1360 x 32 = 16,640 + 16,900 + 348,160
        assertEquals(381_700L * 4, p.activations().get("vision encoder"));
        // UNet: 2 x (16 x 32 x 64 + 2 x (32 x 64 + 64 x 16)) maps + 8 B x 2 x 2 x 64² scores (= 2 x 2 x 2 x 64²
        // values of 4 B) + MMFS corners 2 x 64 x 2 images x 32 x 4 levels x 4 points x 4 = 77,824 + 32,768 + 524,288
        assertEquals(634_880L * 4, p.activations().get("UNet (batch 2)"));
        // VAE: 6 x 8 x 64² + 2 x 64² (8 x 8 latents, squared) = 196,608 + 8,192
        assertEquals(204_800L * 4, p.activations().get("VAE decoder"));
        assertEquals(2_490_368L * 4, p.bytes("activations (peak)"));
        assertEquals(512L << 20, p.bytes("runtime"));
        assertEquals(73_728L * 4, p.bytes("loading (transient)"));
        assertEquals(557_353_476L, p.hostBytes());           // the sum of the terms above
        assertEquals(0, p.deviceBytes());
    }

    @Test
    void theKvCacheIsSizedToTheDocumentNotTheContext() {
        MemoryPlan p = MemoryPlan.of(TINY, Precision.FP32, MemoryPlan.Target.CPU, 100, 1);
        assertEquals(2L * 4 * 128 * 64 * 4, p.bytes("KV cache"), "capacity 128 for 100 tokens");
        assertEquals(16, KvCache.capacity(1, 2048));
        assertEquals(1024, KvCache.capacity(1024, 2048));
        assertEquals(2048, KvCache.capacity(1025, 2048));
        assertEquals(2048, KvCache.capacity(1900, 2048), "never past the context");
        assertEquals(1500, KvCache.capacity(1025, 1500));
        assertEquals(3000, KvCache.capacity(3000, 2048), "a longer document gets exactly its length");
        assertThrows(IllegalArgumentException.class,
                () -> MemoryPlan.of(TINY, Precision.FP32, MemoryPlan.Target.CPU, 513, 1));
    }

    /** The tiny preset's AutoencoderKL parameters (image_decoder.decoder.vae.*), counted in SHAPES mode. */
    static final long TINY_VAE_PARAMETERS = vaeParameters(TINY);

    static long vaeParameters(ModelConfig cfg) {
        java.util.Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        dev.weft.engine.model.MMInterleaved.shapes(cfg, shapes);
        long n = 0;
        for (var e : shapes.entrySet()) {
            if (e.getKey().startsWith("image_decoder.decoder.vae.")) {
                n += java.util.Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
            }
        }
        return n;
    }

    @Test
    void onAGpuTheWorkingSetMovesToTheDevice() {
        MemoryPlan cpu = MemoryPlan.of(TINY, Precision.FP16, MemoryPlan.Target.CPU, 512, 2);
        MemoryPlan gpu = MemoryPlan.of(TINY, Precision.FP16, MemoryPlan.Target.GPU, 512, 2);
        long vae = TINY_VAE_PARAMETERS;
        assertEquals((1_260_161L - vae) * 2 + vae * 4, gpu.bytes("weights"), "the VAE stays fp32");
        long work = cpu.hostBytes() - (512L << 20) - 73_728L * 4;
        assertEquals(work + ((long) (MemoryPlan.CUDA_CONTEXT_MIB + MemoryPlan.CUDA_LIBRARIES_MIB
                + MemoryPlan.GPU_SLACK_MIB) << 20), gpu.deviceBytes());
        assertEquals((512L << 20) + 73_728L * 4, gpu.hostBytes());
        assertTrue(String.join("\n", gpu.describe()).contains("+ VAE " + String.format("%,d", vae) + " x 4 B"),
                String.join("\n", gpu.describe()));
        assertTrue(!String.join("\n", gpu.describe()).contains("note:"), "fp16 is computed: no note");
        assertTrue(String.join("\n", MemoryPlan.of(TINY, Precision.BF16, MemoryPlan.Target.GPU, 512, 2)
                .describe()).contains("this is what bf16 compute would need"));
        assertEquals(Precision.FP16, MemoryCheck.forLoad(TINY, Device.gpu(), Precision.FP16).precision());
        assertEquals(Precision.FP32, MemoryCheck.forLoad(TINY, Device.cpu()).precision());
    }

    /** One enum: fp32 and fp16 are loaded and planned, bf16 is planned only; each spelling of --dtype as before. */
    @Test
    void bf16IsPlannedButNeitherParsedForALoadNorLoaded() {
        assertEquals(4, Precision.FP32.bytes());
        assertEquals(2, Precision.FP16.bytes());
        assertEquals(2, Precision.BF16.bytes());
        assertTrue(Precision.FP32.runnable() && Precision.FP16.runnable() && !Precision.BF16.runnable());
        for (String s : new String[] {"fp32", "f32", "float32", "FP32"}) {
            assertEquals(Precision.FP32, Precision.parse(s), s);
            assertEquals(Precision.FP32, Precision.parsePlanned(s), s);
        }
        for (String s : new String[] {"fp16", "f16", "float16", "half"}) {
            assertEquals(Precision.FP16, Precision.parse(s), s);
            assertEquals(Precision.FP16, Precision.parsePlanned(s), s);
        }
        assertEquals(Precision.BF16, Precision.parsePlanned("bf16"));
        assertEquals(Precision.BF16, Precision.parsePlanned("BFloat16"));
        assertEquals("--dtype: expected fp32 or fp16, found bf16",
                assertThrows(IllegalArgumentException.class, () -> Precision.parse("bf16")).getMessage());
        assertEquals("--dtype: expected fp32 or fp16, found int8",
                assertThrows(IllegalArgumentException.class, () -> Precision.parse("int8")).getMessage());
        assertEquals("--dtype: expected fp32, fp16 or bf16, found int8",
                assertThrows(IllegalArgumentException.class, () -> Precision.parsePlanned("int8")).getMessage());
        assertEquals(Precision.FP16, Precision.defaultFor(MemoryPlan.Target.GPU));
        assertEquals(Precision.FP32, Precision.defaultFor(MemoryPlan.Target.CPU));
        assertEquals(Precision.FP16, Precision.defaultFor(Device.gpu()));
        assertEquals(Precision.FP32, Precision.defaultFor(Device.cpu()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Engine.load(Path.of("../assets/tiny"), Device.cpu(), Precision.BF16));
        assertTrue(e.getMessage().startsWith("bf16 is planned only, not runnable"), e.getMessage());
    }

    @Test
    void theReleasedModelsWeightsComeOutAtThePublishedSizes() {
        ModelConfig big = ModelConfig.mmInterleaved13b();
        MemoryPlan fp32 = MemoryPlan.of(big, Precision.FP32, MemoryPlan.Target.GPU, 2048, 8);
        MemoryPlan fp16 = MemoryPlan.of(big, Precision.FP16, MemoryPlan.Target.GPU, 2048, 8);
        assertEquals("55.6 GiB", MemoryPlan.human(fp32.bytes("weights")));
        // half of fp32's, but for the VAE's parameters, which stay fp32 (27.8 GiB with an fp16 VAE)
        assertEquals("27.9 GiB", MemoryPlan.human(fp16.bytes("weights")));
        assertEquals(2L * 40 * 2048 * 5120 * 4, fp32.bytes("KV cache"));                 // 3.1 GiB
        assertEquals(163_850_240L * 4, fp32.bytes("loading (transient)"));                // the 32002 x 5120 head
        System.out.println("VAE parameters " + vaeParameters(big) + ", tiny " + TINY_VAE_PARAMETERS);
        System.out.println(String.join("\n", fp32.describe()));
        System.out.println(String.join("\n", fp16.describe()));
    }

    @Test
    void loadingRefusesWhenTheHostHasTooLittle() {
        MemoryException e = assertThrows(MemoryException.class, () -> Engine.load(Path.of("../assets/tiny"),
                Device.cpu(), (a, b) -> { }, MemoryProbe.fixed(100L << 20, -1)));
        assertTrue(e.getMessage().matches("\\.\\./assets/tiny \\(tiny, fp32\\) needs ~\\d+\\.\\d MiB of host memory, 100\\.0 MiB "
                + "available \\(fp32: weights 4\\.8 MiB, .*"), e.getMessage());
    }

    @Test
    void aGpuWithTooLittleFreeMemoryIsRefusedAndTheCheckCanBeTurnedOff() {
        MemoryPlan plan = MemoryCheck.forLoad(ModelConfig.mmInterleaved13b(), Device.gpu());
        MemoryProbe small = MemoryProbe.fixed(1L << 40, 40L << 30);
        MemoryException e = assertThrows(MemoryException.class,
                () -> MemoryCheck.require(plan, small, Device.gpu(), "mm-interleaved-13b"));
        assertTrue(e.getMessage().startsWith("mm-interleaved-13b needs ~"), e.getMessage());
        assertTrue(e.getMessage().contains("GiB of GPU memory on gpu(0) besides its CUDA context, 40.0 GiB available"),
                e.getMessage());
        MemoryCheck.require(plan, MemoryProbe.fixed(1L << 40, 80L << 30), Device.gpu(), "fits");
        MemoryCheck.require(plan, MemoryProbe.fixed(-1, -1), Device.gpu(), "unknown figures pass");
        String old = System.getProperty(MemoryCheck.PROPERTY);
        System.setProperty(MemoryCheck.PROPERTY, "false");
        try {
            MemoryCheck.require(plan, small, Device.gpu(), "check off");
        } finally {
            if (old == null) {
                System.clearProperty(MemoryCheck.PROPERTY);
            } else {
                System.setProperty(MemoryCheck.PROPERTY, old);
            }
        }
    }

    @Test
    void theSystemProbeReadsThisMachine() {
        long host = MemoryProbe.system().hostAvailable();
        assertTrue(host > 0, "MemAvailable or the MXBean: " + host);
        assertEquals(-1, MemoryProbe.system().deviceAvailable(Device.cpu()));
        System.out.printf("host memory available: %s%n", MemoryPlan.human(host));
    }
}
