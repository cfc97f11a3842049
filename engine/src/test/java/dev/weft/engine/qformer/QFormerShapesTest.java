package dev.weft.engine.qformer;

import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.config.QFormerConfig;
import dev.weft.engine.decoder.ContextResampler;
import dev.weft.engine.nn.Params;
import dev.weft.engine.vision.VisualTokenizer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parameter counts of the published resamplers, without allocating anything (Params SHAPES mode). */
class QFormerShapesTest {

    /** Closed form of the query-only Blip2QFormerModel + queries (no text-branch FFN: absent in 4.31). */
    static long expected(QFormerConfig c) {
        long h = c.hiddenSize();
        long e = c.encoderHiddenSize();
        long i = c.intermediateSize();
        long qk = c.qkNormalization() ? 4L * (h / c.numHeads()) : 0;
        long n = (long) c.numQueries() * h + 2 * h;                     // queries + layernorm
        for (int l = 0; l < c.numLayers(); l++) {
            n += 4 * (h * h + h) + 2 * h + qk;                          // self-attention + output
            if (l % c.crossAttentionFrequency() == 0) {
                n += 2 * (h * h + h) + 2 * (e * h + h) + 2 * h + qk;    // cross-attention + output
            }
            n += h * i + i + i * h + h + 2 * h;                         // query FFN
        }
        return n;
    }

    @Test
    void publishedVisualResampler() {
        Params p = Params.shapesOnly();
        new PerceiverResampler(p.root().pp("visual_tokenizer").pp("perceiver_resampler"), QFormerConfig.visual13b());
        long n = p.parameterCount();
        System.out.printf("visual resampler (64 queries, 12 layers, 768, QK-norm): %,d parameters (%.2f M)%n", n, n / 1e6);
        assertEquals(expected(QFormerConfig.visual13b()), n);
        assertEquals(101_652_480L, n);
        assertTrue(p.shapes().containsKey(
                "visual_tokenizer.perceiver_resampler.blip2qformer.encoder.layer.10.crossattention.attention.k_norm.weight"));
        assertFalse(p.shapes().containsKey(
                "visual_tokenizer.perceiver_resampler.blip2qformer.encoder.layer.11.crossattention.attention.query.weight"));
        assertFalse(p.shapes().keySet().stream().anyMatch(k -> k.contains(".intermediate.") || k.contains(".output.dense")
                && !k.contains("attention.output")));
    }

    @Test
    void publishedContextSideAndTokenizerGlue() {
        ModelConfig cfg = ModelConfig.mmInterleaved13b();
        Params p = Params.shapesOnly();
        new ContextResampler(p.root(), cfg);
        long ctx = p.parameterCount();
        long resampler = expected(cfg.contextResampler());
        System.out.printf("context side: resampler %,d + context_feat_proj, soi_token, neg_prompt_embeds = %,d (%.2f M)%n",
                resampler, ctx, ctx / 1e6);
        assertEquals(resampler + 5120L * 5120 + 5120 + 5120 + 77L * 1024, ctx);

        Params g = Params.shapesOnly();
        new VisualTokenizer(g.root().pp("visual_tokenizer"), cfg, prefix -> px -> null);
        long glue = g.parameterCount();
        System.out.printf("visual tokenizer without encoder: %,d (%.2f M)%n", glue, glue / 1e6);
        assertEquals(expected(cfg.visualResampler()) + (1024L * 1024 + 1024) + 2 * 2048 + 257L * 1024
                + (768L * 5120 + 5120) + 6, glue);

        Params enc = Params.shapesOnly();
        new dev.weft.engine.vision.ClipVisionAdapter(enc.root(), cfg.vision());
        Params all = Params.shapesOnly();
        new VisualTokenizer(all.root().pp("visual_tokenizer"), cfg);
        System.out.printf("whole visual tokenizer (CLIP ViT-L + adapter + glue): %,d (%.2f M)%n",
                all.parameterCount(), all.parameterCount() / 1e6);
        assertEquals(enc.parameterCount() + glue, all.parameterCount());
        assertTrue(all.shapes().containsKey("visual_tokenizer.encoder.vision_model.pre_layrnorm.weight"));
    }
}
