package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.WeightPath;

import java.util.List;

/**
 * One adapter interaction ({@code InteractionBlockWithCls} in {@code MMI: adapter_modules.py}): inject the
 * pyramid into the patch tokens, run this block's range of CLIP layers on [cls; patches], extract the patch map
 * back into the pyramid (twice more through {@code extra_extractors} in the last block).
 *
 * <p>Dimensions: B batch, C width, G patch grid, N = 21/4 G^2 pyramid tokens.
 *
 * <p>Parameters: {@code injector}, {@code extractor}, and {@code extra_extractors.{0,1}} in the last block.
 */
final class InteractionBlock {
    private final Injector injector;
    private final Extractor extractor;
    private final Extractor[] extra;

    InteractionBlock(WeightPath p, VisionConfig cfg, boolean withExtra) {
        this.injector = new Injector(p.pp("injector"), cfg);
        this.extractor = new Extractor(p.pp("extractor"), cfg);
        this.extra = withExtra
                ? new Extractor[] {new Extractor(p.pp("extra_extractors").pp(0), cfg),
                                   new Extractor(p.pp("extra_extractors").pp(1), cfg)}
                : new Extractor[0];
    }

    /** The updated patch tokens x (B, G*G, C), pyramid c (B, N, C) and cls token (B, 1, C). */
    record State(NDArray x, NDArray c, NDArray cls) { }

    State forward(State s, List<ClipEncoderLayer> layers, DeformInputs d, int g) {
        // 1. inject the spatial priors into the patch tokens
        NDArray x = injector.forward(s.x(), s.c(), d);                             // (B, G*G, C)
        // 2. this block's CLIP layers on [cls; patches]
        NDArray h = s.cls().concat(x, 1);                                          // (B, 1+G*G, C)
        for (ClipEncoderLayer layer : layers) {
            h = layer.forward(h);
        }
        NDArray cls = h.get(":, 0:1");                                             // (B, 1, C)
        x = h.get(":, 1:");                                                        // (B, G*G, C)
        // 3. extract the patch map into the pyramid
        NDArray c = extractor.forward(s.c(), x, d, g);                             // (B, N, C)
        for (Extractor e : extra) {
            c = e.forward(c, x, d, g);
        }
        return new State(x, c, cls);
    }
}
