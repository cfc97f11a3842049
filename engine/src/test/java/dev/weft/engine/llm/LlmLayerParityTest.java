package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.LlmConfig;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One decoder layer with MMFS against engine/training/fixtures/export_llm.py (fixture llm_layer). */
class LlmLayerParityTest {

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void mmfsDecoderLayerMatchesReference() {
        ModelConfig cfg = ModelConfig.tiny();
        LlmConfig llm = cfg.llm();
        VisionConfig vision = cfg.vision();
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("llm_layer", m)) {
            Params params = Params.load(f.weights(), m);
            int[] sizes = vision.featureSizes();
            int[] shapes = java.util.Arrays.copyOfRange(sizes, sizes.length - llm.mmfs().numLevels(), sizes.length);
            DecoderLayer layer = new DecoderLayer(params.root().pp("mm_decoder.layers.0"), llm, 0,
                    vision.hiddenSize(), shapes, vision.grid());
            params.requireComplete();
            NDArray h = f.get("hidden");
            long t = h.getShape().get(1);
            long[][] levelShapes = new long[shapes.length][];
            for (int i = 0; i < shapes.length; i++) {
                levelShapes[i] = new long[] {shapes[i], shapes[i]};
            }
            VisionFeatures feats = new VisionFeatures(f.get("vision"), levelShapes);
            NDArray cross = f.get("cross_mask");
            NDArray[] cs = new Rope(llm.headDim(), llm.ropeTheta()).cosSin(f.get("position_ids"));
            NDArray mask = MmDecoder.causalMask(m, t, 0);

            NDArray h1 = h.add(layer.selfAttn.forward(layer.inputLayernorm.forward(h), cs[0], cs[1], mask, null, 0));
            Tolerances.assertClose("llm layer after self_attn", f.get("after_self_attn"), h1, Tolerances.BLOCK);
            NDArray c = layer.crossAttn.forward(f.get("after_self_attn"), feats, cross, null, 0);
            Tolerances.assertClose("llm layer llama_cross_attn", f.get("cross_out"), c, Tolerances.BLOCK);
            NDArray out = layer.forward(h, cs[0], cs[1], mask, feats, cross, null);
            Tolerances.assertClose("llm layer out", f.get("out"), out, Tolerances.BLOCK);
        }
    }
}
