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
        try (NDManager m = manager.newSubManager(); Fixture f = Fixture.open("tiny_runs", m);
             InterleavedSession s = new InterleavedSession(model, m)) {
            s.appendTokens(toList(f.longs("t2i.ids")));
            NDArray cond = s.conditionForLastBoi(m);
            Tolerances.assertClose("t2i context", f.get("t2i.context"), cond, Tolerances.BLOCK);
            NDArray img = s.paint(m, new DDIMScheduler(model.config.scheduler()), 4, 3.0f, f.get("t2i.latents"),
                    StepNoise.NONE, GenerationListener.NONE, CancellationToken.NEVER);
            Tolerances.assertClose("t2i image", f.get("t2i.image"), img, Tolerances.BLOCK);
        }
    }

    @Test
    void continueDocumentWithCache() {
        TokenConfig tok = model.config.tokens();
        try (NDManager m = manager.newSubManager(); Fixture f = Fixture.open("tiny_runs", m);
             InterleavedSession s = new InterleavedSession(model, m)) {
            // the prompt: <s> text <boi><image>xK text, the image given as pixels
            List<Integer> prompt = toList(f.longs("continue.prompt_ids"));
            int boi = prompt.indexOf(tok.boi());
            s.appendTokens(prompt.subList(0, boi));
            s.appendImage(f.get("continue.image0"));
            int after = boi + 1 + model.config.numImageTokens();
            s.appendTokens(prompt.subList(after, prompt.size()));
            NDArray lat = f.get("continue.latents");
            List<NDArray> made = new ArrayList<>();
            // the reference's loop: greedy text (at most 5 tokens), then an image, twice
            while (made.size() < 2) {
                int stop = -1;
                for (int i = 0; i < 5; i++) {
                    float[] logits = s.logits();
                    logits[tok.image()] = Float.NEGATIVE_INFINITY;
                    logits[tok.bos()] = Float.NEGATIVE_INFINITY;
                    logits[tok.pad()] = Float.NEGATIVE_INFINITY;
                    int next = TokenSampler.argmax(logits);
                    if (next == tok.eos() || next == tok.boi()) {
                        stop = next;
                        break;
                    }
                    s.appendTokens(List.of(next));
                }
                assertEquals(-1 == stop || tok.boi() == stop, true, "fixture run never stops on </s>");
                s.appendTokens(List.of(tok.boi()));
                NDArray img = s.paint(m, new DDIMScheduler(model.config.scheduler()), 3, 2.0f,
                        lat.get(made.size() + ":" + (made.size() + 1)), StepNoise.NONE, GenerationListener.NONE,
                        CancellationToken.NEVER);
                made.add(img);
                s.completeImage(img);
            }
            assertEquals(toList(f.longs("continue.ids")), s.ids(), "token ids of the whole run");
            Tolerances.assertClose("continue image 1", f.get("continue.image1"), made.get(0), Tolerances.BLOCK);
            Tolerances.assertClose("continue image 2", f.get("continue.image2"), made.get(1), Tolerances.BLOCK);
        }
    }

    static List<Integer> toList(long[] v) {
        List<Integer> l = new ArrayList<>();
        for (long x : v) {
            l.add((int) x);
        }
        return l;
    }
}
