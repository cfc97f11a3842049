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
 * Whole runs of the tiny model (assets/tiny/model.safetensors) against engine/training/fixtures/export_tiny_model.py:
 * the reference re-encodes every image and re-runs the whole sequence each round (as MMI's inference.py); the Java
 * session keeps a KV cache and image features. Greedy text and DDIM with the fixture's initial latents.
 *
 * <p>Tolerance 1e-4 on images in [0, 1] and on latents: each is the end of a chain (LLM, resampler, several UNet
 * steps with guidance, VAE) whose blocks are each within a few 1e-6.
 */
class WholeRunParityTest {
    static NDManager manager;
    static MMInterleaved model;
    static WeightSource weights;

    @BeforeAll
    static void load() {
        NativeTests.assumeNative();
        manager = NDManager.newBaseManager();
        weights = SafetensorsWeights.open(Path.of("../assets/tiny/model.safetensors"));
        model = MMInterleaved.load(ModelConfig.tiny(), weights, manager);
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
        try (NDManager m = manager.newSubManager(); Fixture f = Fixture.open("tiny_runs", m)) {
            ReferenceRuns.textToImage(model, m, f, 4, 3.0f);
        }
    }

    @Test
    void continueDocumentWithCache() {
        try (NDManager m = manager.newSubManager(); Fixture f = Fixture.open("tiny_runs", m)) {
            ReferenceRuns.continueTwice(model, m, f, 5, 3, 2.0f);
        }
    }
}
