package dev.weft.engine.eval;

import ai.djl.Device;
import dev.weft.engine.Engine;
import dev.weft.engine.llm.DecoderLayer;
import dev.weft.engine.pipeline.GenerationListener;
import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.SamplingOptions;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.weights.Checkpoints;
import dev.weft.engine.world.Renderer;
import dev.weft.engine.world.WorldSample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MMFS ablation on the tiny model: exactly the gates and MMFSNet's zero convs read as zeros. */
class MmfsAblationTest {
    static final Path TINY = Path.of("../assets/tiny");

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void zeroesGatesAndZeroConvsOnly() {
        try (MmfsAblation w = new MmfsAblation(Checkpoints.open(TINY))) {
            var names = w.zeroed();
            // tiny: MMFS in LLM layers 0 and 2; MMFSNet: 4 down skips and the mid block, weight and bias each
            assertEquals(2 + 5 * 2, names.size(), names.toString());
            assertTrue(names.contains("mm_decoder.layers.0.llama_cross_attn.gate"));
            assertTrue(names.contains("image_decoder.decoder.mmfs_module.mmfs_mid_block.conv.bias"));
            assertFalse(names.stream().anyMatch(n -> n.contains("gate_proj")));
            for (String n : names) {
                var b = w.float32(n).asFloatBuffer();
                while (b.hasRemaining()) {
                    assertEquals(0f, b.get(), n);
                }
            }
            String other = "mm_decoder.layers.0.llama_cross_attn.norm1.weight";
            assertNotEquals(0f, w.float32(other).asFloatBuffer().get(0), other + " untouched");
        }
    }

    @Test
    void ablatedModelHasZeroGatesAndPaintsDifferently() {
        try (Engine on = Engine.load(TINY, Device.cpu()); Engine off = MmfsAblation.load(TINY, Device.cpu())) {
            for (int i = 0; i < on.model().mmDecoder.layers.length; i++) {
                DecoderLayer a = on.model().mmDecoder.layers[i];
                DecoderLayer b = off.model().mmDecoder.layers[i];
                if (a.crossAttn != null) {
                    assertNotEquals(0f, a.crossAttn.gate.getFloat());
                    assertEquals(0f, b.crossAttn.gate.getFloat());
                }
            }
            var scene = WorldSample.generate(1000, 0, new WorldSample.Mix(0, 0)).scenes().get(0);
            BufferedImage map = Renderer.render(scene).map();
            SamplingOptions o = SamplingOptions.defaults().withSteps(2);
            BufferedImage x = on.segmentToImage(map, "", o, GenerationListener.NONE, new CancellationToken());
            BufferedImage y = off.segmentToImage(map, "", o, GenerationListener.NONE, new CancellationToken());
            int[] px = x.getRGB(0, 0, x.getWidth(), x.getHeight(), null, 0, x.getWidth());
            int[] py = y.getRGB(0, 0, y.getWidth(), y.getHeight(), null, 0, y.getWidth());
            assertFalse(Arrays.equals(px, py), "switching MMFS off changes the picture");
        }
    }
}
