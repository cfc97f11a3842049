package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole visual tokenizer (CLIP normalisation, ClipVisionAdapter, glue) against
 * engine/training/fixtures/export_visual_tokenizer.py (tiny config, every parameter random), from pixels in [0, 1]
 * to {@code vis_embed} and the position-embedded multi-scale maps.
 */
class VisualTokenizerParityTest {

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void wholeTokenizerMatchesReference() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("visual_tokenizer", m)) {
            Params params = Params.load(f.weights(), m);
            VisualTokenizer tok = new VisualTokenizer(params.root().pp("visual_tokenizer"), ModelConfig.tiny());
            params.requireComplete();
            try (NDManager step = m.newSubManager()) {
                NDArray pixels = f.get("pixels");
                pixels.attach(step);
                VisualTokenizer.Output out = tok.forward(pixels);
                Tolerances.assertClose("visual_tokenizer(all).vis_embed", f.get("vis_embed"), out.visEmbed(),
                        Tolerances.BLOCK);
                Tolerances.assertClose("visual_tokenizer(all).c1[:8,:8]", f.get("ms.0.corner"),
                        out.multiscaleFeatures().get(0).get(":, :, 0:8, 0:8"), Tolerances.BLOCK);
                for (int i = 1; i < 4; i++) {
                    Tolerances.assertClose("visual_tokenizer(all).c" + (i + 1), f.get("ms." + i),
                            out.multiscaleFeatures().get(i), Tolerances.BLOCK);
                }
            }
        }
    }
}
