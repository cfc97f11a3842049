package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.LayerNorm;
import dev.weft.engine.nn.WeightPath;

/**
 * Adapter injector ({@code Injector} in {@code MMI: adapter_modules.py}): the ViT patch tokens read the spatial
 * pyramid through deformable attention, scaled per channel by {@code gamma} (initialised to init_values = 0,
 * so a fresh adapter leaves the ViT unchanged): {@code x + gamma * attn(query_norm(x), feat_norm(c))}.
 *
 * <p>Dimensions: B batch, C width, G patch grid, N = 21/4 G^2 pyramid tokens.
 *
 * <p>Parameters: {@code query_norm}, {@code feat_norm} (LayerNorm, eps 1e-5: the reference passes
 * {@code nn.LayerNorm}), {@code attn} (3 levels), {@code gamma} (C).
 */
final class Injector {
    static final float NORM_EPS = 1e-5f;

    private final LayerNorm queryNorm;
    private final LayerNorm featNorm;
    private final AdapterDeformAttn attn;
    private final NDArray gamma; // (C)

    Injector(WeightPath p, VisionConfig cfg) {
        long c = cfg.hiddenSize();
        this.queryNorm = new LayerNorm(p.pp("query_norm"), c, NORM_EPS);
        this.featNorm = new LayerNorm(p.pp("feat_norm"), c, NORM_EPS);
        this.attn = new AdapterDeformAttn(p.pp("attn"), c, 3, cfg.numHeads(), cfg.adapterPoints(),
                cfg.deformRatio());
        this.gamma = p.get("gamma", Init.zeros(), c);
    }

    /** x: (B, G*G, C) patch tokens; c: (B, N, C) pyramid tokens. Returns (B, G*G, C). */
    NDArray forward(NDArray x, NDArray c, DeformInputs d) {
        NDArray a = attn.forward(queryNorm.forward(x), d.injectorRef, featNorm.forward(c), d.injectorShapes,
                d.injectorNorm);                                                   // (B, G*G, C)
        return x.add(a.mul(gamma));
    }
}
