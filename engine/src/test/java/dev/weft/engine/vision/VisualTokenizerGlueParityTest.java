package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The visual tokenizer around a stub encoder, against engine/training/fixtures/export_visual_tokenizer_glue.py
 * (tiny config): the stub checks the CLIP-normalised pixels it receives and returns the fixture's stand-in
 * encoder outputs; the test then checks the Q-Former input, {@code vis_embed} and the position tables added to
 * the multi-scale maps (8x8 table resized to 32, 16, 8 and 4). The real encoder (ClipVisionAdapter) is another
 * branch's; a whole-tokenizer parity test belongs with the merge.
 */
class VisualTokenizerGlueParityTest {

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void glueMatchesReference() {
        ModelConfig cfg = ModelConfig.tiny();
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("visual_tokenizer_glue", m)) {
            int[] sizes = cfg.vision().featureSizes();
            List<NDArray> maps = new ArrayList<>();
            for (int s : sizes) {
                maps.add(m.randomNormal(new Shape(1, cfg.vision().hiddenSize(), s, s)));
            }
            NDArray lastHidden = f.get("last_hidden");
            Params params = Params.load(f.weights(), m);
            VisualTokenizer tok = new VisualTokenizer(params.root(), cfg, prefix -> {
                assertEquals("encoder.vision_model", prefix.prefix());
                return px -> {
                    Tolerances.assertClose("visual_tokenizer.normalized", f.get("normalized"), px, 1e-5);
                    return new VisualTokenizer.EncoderOutput(lastHidden, maps);
                };
            });
            params.requireComplete();

            try (NDManager step = m.newSubManager()) {
                NDArray pixels = f.get("pixels");
                pixels.attach(step);
                VisualTokenizer.Output out = tok.forward(pixels);
                Tolerances.assertClose("visual_tokenizer.qformer_in", f.get("qformer_in"),
                        tok.glue().qformerInput(lastHidden), Tolerances.BLOCK);
                Tolerances.assertClose("visual_tokenizer.vis_embed", f.get("vis_embed"), out.visEmbed(), Tolerances.BLOCK);
                for (int i = 0; i < sizes.length; i++) {
                    NDArray expected = maps.get(i).add(f.get("feature_pos." + i));
                    Tolerances.assertClose("visual_tokenizer.multiscale[" + sizes[i] + "]", expected,
                            out.multiscaleFeatures().get(i), 1e-5);
                }
            }
        }
    }

    @Test
    void initModeFillsTheFixedTables() {
        ModelConfig cfg = ModelConfig.tiny();
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("visual_tokenizer_glue", m)) {
            Params params = Params.init(m, 3);
            VisualTokenizer tok = new VisualTokenizer(params.root(), cfg, prefix -> px -> null);
            // pos_embed in INIT mode = MMI's 2-D sin-cos (row half first), so the 8x8 table added to the 8x8 map
            // equals the fixture's (which keeps the reference's sin-cos values)
            Tolerances.assertClose("visual_tokenizer.init.feature_pos[8]", f.get("feature_pos.2"),
                    tok.glue().featurePositionEmbedding(8), 1e-6);
            Tolerances.assertClose("visual_tokenizer.init.normalized", f.get("normalized"),
                    tok.normalize(f.get("pixels")), 1e-5);
        }
    }
}
