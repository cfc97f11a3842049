package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.LlmConfig;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.testing.NativeTests;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each decoder layer runs in its own scope: what a forward leaves on the caller's manager (the output and the
 * position / mask tables) does not grow with the number of layers, so a prefill's peak is one layer's
 * intermediates, not all of them. Without the scopes, 8 layers leave 4 times the arrays of 2.
 */
class LlmScopeTest {

    @Test
    void arraysLeftByAForwardDoNotGrowWithTheLayers() {
        NativeTests.assumeNative();
        assertEquals(arraysLeftByPrefill(2), arraysLeftByPrefill(8), "arrays left on the step's manager");
    }

    /** Arrays on the step manager after a cached prefill of 12 tokens and one decoding step. */
    private static int arraysLeftByPrefill(int layers) {
        LlmConfig tiny = LlmConfig.tiny(100);
        LlmConfig cfg = new LlmConfig(tiny.vocabSize(), tiny.hiddenSize(), tiny.intermediateSize(), layers,
                tiny.numHeads(), tiny.rmsNormEps(), tiny.maxPositions(), tiny.ropeTheta(), tiny.mmfsEvery(),
                tiny.mmfs());
        try (NDManager weights = NDManager.newBaseManager(); NDManager work = NDManager.newBaseManager()) {
            MmDecoder dec = new MmDecoder(Params.init(weights, 7).root().pp("mm_decoder"), cfg, VisionConfig.tiny());
            int left;
            try (KvCache cache = dec.newCache(work); NDManager step = work.newSubManager()) {
                NDArray x = step.randomNormal(new Shape(1, 12, cfg.hiddenSize()));    // (B, T, D)
                NDArray h = dec.forward(x, null, cache, null, null);                  // (B, T, D)
                assertEquals(new Shape(1, 12, cfg.hiddenSize()), h.getShape());
                left = step.getManagedArrays().size();
                NDArray next = dec.forward(step.randomNormal(new Shape(1, 1, cfg.hiddenSize())), null, cache, null,
                        null);                                                        // the cache survived
                assertEquals(new Shape(1, 1, cfg.hiddenSize()), next.getShape());
                assertEquals(13, cache.length());
            }
            return left;
        }
    }
}
