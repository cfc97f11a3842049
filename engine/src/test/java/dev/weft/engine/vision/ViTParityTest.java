package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * CLIP ViT hidden states of {@link ClipVisionAdapter} against engine/training/fixtures/export_vision.py (tiny
 * config, batch 2, every parameter randomised): plain CLIP (embeddings + pre-LayerNorm, an intermediate layer,
 * the last layer) and the adapter's last hidden state (cls + patches after the last interaction block).
 */
class ViTParityTest {
    static final String PREFIX = "visual_tokenizer.encoder.vision_model";

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void hiddenStatesMatchReference() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("vision", m)) {
            Params params = Params.load(f.weights(), m);
            ClipVisionAdapter enc = new ClipVisionAdapter(params.root().pp(PREFIX), VisionConfig.tiny());
            params.requireComplete();
            NDArray pixels = f.get("pixels");
            List<NDArray> hs = enc.vitHiddenStates(pixels);
            Tolerances.assertClose("vit.hidden.0 (pre_layrnorm)", f.get("vit.hidden.0"), hs.get(0), Tolerances.BLOCK);
            Tolerances.assertClose("vit.hidden.2 (layer 1)", f.get("vit.hidden.2"), hs.get(2), Tolerances.BLOCK);
            Tolerances.assertClose("vit.hidden.last", f.get("vit.hidden.last"), hs.get(hs.size() - 1),
                    Tolerances.BLOCK);
            ClipVisionAdapter.Output out = enc.forward(pixels);
            Tolerances.assertClose("adapter last_hidden", f.get("out.last_hidden"), out.lastHidden(),
                    Tolerances.BLOCK);
        }
    }
}
