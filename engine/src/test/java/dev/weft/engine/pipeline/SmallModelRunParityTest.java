package dev.weft.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.config.TokenConfig;
import dev.weft.engine.diffusion.schedulers.DDIMScheduler;
import dev.weft.engine.diffusion.schedulers.StepNoise;
import dev.weft.engine.model.MMInterleaved;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import dev.weft.engine.weights.KeyMaps;
import dev.weft.engine.weights.SafetensorsWeights;
import dev.weft.engine.weights.WeightSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Whole runs of the trained bundled model (assets/weft-small: fp16 shards + index, loaded as the engine loads a model
 * folder) against engine/training/fixtures/export_small_runs.py, i.e. PyTorch and Java agree on the trained weights:
 * text to image (context and image), greedy captioning of a world picture, and a story continued with greedy text
 * and two images (the reference re-encodes and re-runs everything each round; the Java session caches).
 *
 * <p>Tolerance 1e-4 on images in [0, 1] and contexts, as {@link WholeRunParityTest}; token ids exactly.
 */
class SmallModelRunParityTest {
    static NDManager manager;
    static MMInterleaved model;
    static WeightSource weights;

    @BeforeAll
    static void load() {
        NativeTests.assumeNative();
        manager = NDManager.newBaseManager();
        Path dir = Path.of("../assets/weft-small");
        ModelConfig cfg = ModelConfig.read(dir.resolve("config.json"));
        assertEquals(ModelConfig.weftSmall(), cfg, "assets/weft-small/config.json is the weftSmall() preset");
        weights = KeyMaps.released(cfg).apply(SafetensorsWeights.open(dir));
        model = MMInterleaved.load(cfg, weights, manager);
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
            weights.close();
        }
    }

    @Test
    void textToImage() {
        try (NDManager m = manager.newSubManager(); Fixture f = Fixture.open("small_runs", m)) {
            ReferenceRuns.textToImage(model, m, f, 20, 3.5f);
        }
    }

    @Test
    void captionIsGreedyReference() {
        TokenConfig tok = model.config.tokens();
        try (NDManager m = manager.newSubManager(); Fixture f = Fixture.open("small_runs", m);
             InterleavedSession s = new InterleavedSession(model, m)) {
            s.appendTokens(List.of(tok.bos()));
            s.appendImage(f.get("caption.image"));
            for (int i = 0; i < 40; i++) {
                int next = ReferenceRuns.greedy(s, tok);
                s.appendTokens(List.of(next));
                if (next == tok.eos() || next == tok.boi()) {
                    break;
                }
            }
            assertEquals(ReferenceRuns.toList(f.longs("caption.ids")), s.ids(), "caption token ids");
        }
    }

    @Test
    void continueStory() {
        try (NDManager m = manager.newSubManager(); Fixture f = Fixture.open("small_runs", m)) {
            ReferenceRuns.continueTwice(model, m, f, 12, 10, 3.5f);
        }
    }
}
