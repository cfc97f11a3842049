package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The fixed sampling geometry of the adapter ({@code deform_inputs} in {@code MMI: adapter_modules.py}), for a
 * G x G patch grid. The injector's queries are the patch tokens, reading the three pyramid levels 2G, G, G/2
 * (c2, c3, c4); the extractor's queries are the pyramid tokens, reading the single G x G patch level. Reference
 * points are pixel centres normalised to [0, 1], (x, y), row-major.
 *
 * <p>Dimensions: Lq queries, L levels.
 */
final class DeformInputs {
    /** (1, G*G, 1, 1, 1, 2): injector reference points. */
    final NDArray injectorRef;
    /** Pyramid levels read by the injector: {2G,2G}, {G,G}, {G/2,G/2}. */
    final long[][] injectorShapes;
    /** (1, 1, 1, 3, 1, 2): (w, h) of each pyramid level. */
    final NDArray injectorNorm;
    /** (1, 21/4 G^2, 1, 1, 1, 2): extractor reference points (c2, c3, c4 grids concatenated). */
    final NDArray extractorRef;
    /** The patch level read by the extractor: {G, G}. */
    final long[][] extractorShapes;
    /** (1, 1, 1, 1, 1, 2): (G, G). */
    final NDArray extractorNorm;

    DeformInputs(NDManager manager, int g) {
        injectorShapes = new long[][] {{2L * g, 2L * g}, {g, g}, {g / 2, g / 2}};
        extractorShapes = new long[][] {{g, g}};
        injectorRef = reference(manager, extractorShapes);
        extractorRef = reference(manager, injectorShapes);
        injectorNorm = normalizer(manager, injectorShapes);
        extractorNorm = normalizer(manager, extractorShapes);
    }

    /** Pixel centres ((j + 0.5) / w, (i + 0.5) / h) of each grid, concatenated: (1, Lq, 1, 1, 1, 2). */
    private static NDArray reference(NDManager manager, long[][] shapes) {
        int total = 0;
        for (long[] s : shapes) {
            total += (int) (s[0] * s[1]);
        }
        float[] v = new float[2 * total];
        int q = 0;
        for (long[] s : shapes) {
            for (int i = 0; i < s[0]; i++) {
                for (int j = 0; j < s[1]; j++) {
                    // the reference builds these with linspace(0.5, n - 0.5, n) / n in fp32; same values
                    v[2 * q] = (float) ((j + 0.5) / s[1]);
                    v[2 * q + 1] = (float) ((i + 0.5) / s[0]);
                    q++;
                }
            }
        }
        return manager.create(v, new Shape(1, total, 1, 1, 1, 2));
    }

    private static NDArray normalizer(NDManager manager, long[][] shapes) {
        float[] v = new float[2 * shapes.length];
        for (int l = 0; l < shapes.length; l++) {
            v[2 * l] = shapes[l][1];
            v[2 * l + 1] = shapes[l][0];
        }
        return manager.create(v, AdapterDeformAttn.normalizerShape(shapes.length));
    }
}
