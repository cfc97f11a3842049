package dev.weft.engine.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.QFormerConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The two tiny Q-Former resamplers against engine/training/fixtures/export_qformer.py: {@code qformer_visual}
 * (QK-norm, cross-attention in layer 0 only, shared queries broadcast over B = 2) and {@code qformer_context}
 * (no QK-norm, encoder padding mask with large values behind the padding).
 */
class PerceiverResamplerParityTest {

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void visualResamplerMatchesReference() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("qformer_visual", m)) {
            Params params = Params.load(f.weights(), m);
            PerceiverResampler r = new PerceiverResampler(params.root(), QFormerConfig.visualTiny());
            params.requireComplete();
            try (NDManager step = m.newSubManager()) {
                NDArray enc = f.get("encoder_hidden_states");
                enc.attach(step);
                NDArray out = r.forward(enc);
                Tolerances.assertClose("qformer_visual.out", f.get("out"), out, Tolerances.BLOCK);
            }
        }
    }

    @Test
    void contextResamplerWithPaddingMatchesReference() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("qformer_context", m)) {
            Params params = Params.load(f.weights(), m);
            PerceiverResampler r = new PerceiverResampler(params.root(), QFormerConfig.contextTiny());
            params.requireComplete();
            NDArray out = r.forward(f.get("encoder_hidden_states"), f.get("encoder_attention_mask"));
            Tolerances.assertClose("qformer_context.out", f.get("out"), out, Tolerances.BLOCK);
        }
    }

    @Test
    void rejectsWrongEncoderWidth() {
        try (NDManager m = NDManager.newBaseManager()) {
            Params params = Params.init(m, 1);
            PerceiverResampler r = new PerceiverResampler(params.root(), QFormerConfig.contextTiny());
            assertThrows(IllegalArgumentException.class, () -> r.forward(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 5))));
        }
    }
}
