package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.UNetConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.nn.WeightPath;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Transformer2DModel, its Attention and BasicTransformerBlock, and the time embedding, against
 * engine/training/fixtures/export_transformer2d.py (tiny config, batch 2, every parameter randomised).
 */
class Transformer2DParityTest {

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void transformerAndTimeEmbeddingMatchTorch() {
        UNetConfig cfg = UNetConfig.tiny();
        int c = cfg.blockOutChannels().get(0);
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("transformer2d", m)) {
            Params params = Params.load(f.weights(), m);
            WeightPath root = params.root();
            Transformer2DModel tr = new Transformer2DModel(root.pp("down_blocks.0.attentions.0"), c,
                    cfg.attentionHeadDim().get(0), cfg.crossAttentionDim(), cfg.normNumGroups(),
                    cfg.useLinearProjection());
            TimestepEmbedding te = new TimestepEmbedding(root.pp("time_embedding"), c, cfg.timeEmbedDim());
            params.requireComplete();

            NDArray ctx = f.get("context");
            NDArray xs = f.get("attn.x");
            Tolerances.assertClose("attn1 (self)", f.get("attn1.out"), tr.block().attn1().forward(xs, null),
                    Tolerances.BLOCK);
            Tolerances.assertClose("attn2 (cross)", f.get("attn2.out"), tr.block().attn2().forward(xs, ctx),
                    Tolerances.BLOCK);
            Tolerances.assertClose("transformer_blocks.0", f.get("block.out"), tr.block().forward(xs, ctx),
                    Tolerances.BLOCK);
            Tolerances.assertClose("transformer2d", f.get("out"), tr.forward(f.get("x"), ctx), Tolerances.BLOCK);

            NDArray t = f.get("timesteps");
            // sin/cos of angles up to ~1000 rad: libtorch 2.7 and torch 1.13 differ by a few fp32 ulps (~2e-6)
            Tolerances.assertClose("time_proj", f.get("time_proj.out"), TimestepEmbedding.sinusoid(t, c), 1e-5);
            Tolerances.assertClose("time_embedding", f.get("time_embedding.out"), te.forward(t), Tolerances.BLOCK);
        }
    }
}
