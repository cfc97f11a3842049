package dev.weft.engine.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.qformer.MmiPosEmbed;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Context conditioning against engine/training/fixtures/export_context.py (tiny config): two packed rows with five
 * images (one without a preceding {@code <s>}, two after a second document's {@code <s>}), the prepared batch,
 * the padded Q-Former output, one image alone, and MMI's float32 1-D sin-cos at width 5120 up to position 2047.
 */
class ContextResamplerParityTest {

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void contextConditioningMatchesReference() {
        ModelConfig cfg = ModelConfig.tiny();
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("context", m)) {
            Params params = Params.load(f.weights(), m);
            ContextResampler ctx = new ContextResampler(params.root(), cfg);
            params.requireComplete();

            NDArray ids = f.get("text_ids");
            NDArray hidden = f.get("hidden");
            // 1. spans: nearest <s> strictly before each <|beginofimage|>
            List<ContextResampler.Span> spans = ctx.spans(ids.toLongArray(), ids.getShape());
            long[] expected = f.longs("spans");
            assertEquals(expected.length / 3, spans.size());
            for (int i = 0; i < spans.size(); i++) {
                ContextResampler.Span s = spans.get(i);
                assertArrayEquals(new long[] {expected[3 * i], expected[3 * i + 1], expected[3 * i + 2]},
                        new long[] {s.row(), s.start(), s.boi()}, "span " + i);
            }
            try (NDManager step = m.newSubManager()) {
                hidden.attach(step);
                // 2. prepared batch (reverse, pad, project, position embedding) and mask
                ContextResampler.Batch b = ctx.prepare(hidden, spans);
                Tolerances.assertClose("context.features", f.get("features"), b.features(), Tolerances.BLOCK);
                assertArrayEquals(f.longs("mask"), b.mask().toLongArray(), "context.mask");
                // 3. the whole path, padded batch
                Tolerances.assertClose("context.out", f.get("out"), ctx.forward(hidden, ids), Tolerances.BLOCK);
                // 4. one image alone: row 1, <s> at 11, <|beginofimage|> at 21
                NDArray one = ctx.forward(hidden.get(1), 11, 21);
                Tolerances.assertClose("context.single", f.get("single"), one, Tolerances.BLOCK);
                assertThrows(IllegalArgumentException.class, () -> ctx.forward(hidden.get(1), 22, 21));
            }
        }
    }

    @Test
    void positionTableMatchesMmiFloat32AtPublishedWidth() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("context", m)) {
            long[] pos = f.longs("pos5120.positions");
            float[] p = new float[pos.length];
            for (int i = 0; i < pos.length; i++) {
                p[i] = pos[i];
            }
            NDArray table = m.create(MmiPosEmbed.sinCos1d(5120, p), new ai.djl.ndarray.types.Shape(p.length, 5120));
            Tolerances.assertClose("context.pos1d[5120, <=2047]", f.get("pos5120.table"), table, 1e-5);
        }
    }
}
