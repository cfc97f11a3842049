package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.LayerNorm;
import dev.weft.engine.nn.WeightPath;

/**
 * Adapter extractor ({@code Extractor} in {@code MMI: adapter_modules.py}): the pyramid tokens read the ViT
 * patch map through single-level deformable attention, then a convolutional FFN, both residual (drop_path 0):
 * {@code c += attn(query_norm(c), feat_norm(x)); c += ffn(ffn_norm(c))}.
 *
 * <p>Dimensions: B batch, C width, G patch grid, N = 21/4 G^2 pyramid tokens.
 *
 * <p>Parameters: {@code query_norm}, {@code feat_norm}, {@code ffn_norm} (LayerNorm, eps 1e-5), {@code attn}
 * (1 level), {@code ffn} ({@link ConvFfn}).
 */
final class Extractor {
    private final LayerNorm queryNorm;
    private final LayerNorm featNorm;
    private final AdapterDeformAttn attn;
    private final ConvFfn ffn;
    private final LayerNorm ffnNorm;

    Extractor(WeightPath p, VisionConfig cfg) {
        long c = cfg.hiddenSize();
        this.queryNorm = new LayerNorm(p.pp("query_norm"), c, Injector.NORM_EPS);
        this.featNorm = new LayerNorm(p.pp("feat_norm"), c, Injector.NORM_EPS);
        this.attn = new AdapterDeformAttn(p.pp("attn"), c, 1, cfg.numHeads(), cfg.adapterPoints(),
                cfg.deformRatio());
        this.ffn = new ConvFfn(p.pp("ffn"), c, (long) (c * cfg.cffnRatio()));
        this.ffnNorm = new LayerNorm(p.pp("ffn_norm"), c, Injector.NORM_EPS);
    }

    /** c: (B, N, C) pyramid tokens; x: (B, G*G, C) patch tokens. Returns (B, N, C). */
    NDArray forward(NDArray c, NDArray x, DeformInputs d, int g) {
        NDArray a = attn.forward(queryNorm.forward(c), d.extractorRef, featNorm.forward(x), d.extractorShapes,
                d.extractorNorm);                                                  // (B, N, C)
        c = c.add(a);
        return c.add(ffn.forward(ffnNorm.forward(c), g));
    }
}
