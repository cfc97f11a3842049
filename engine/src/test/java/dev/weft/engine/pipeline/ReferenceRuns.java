package dev.weft.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.TokenConfig;
import dev.weft.engine.diffusion.schedulers.DDIMScheduler;
import dev.weft.engine.diffusion.schedulers.StepNoise;
import dev.weft.engine.model.MMInterleaved;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.Tolerances;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole runs of {@code engine/training/weft_ref/pipeline.py} replayed on the cached Java session: greedy text
 * (never {@code <|image|>}, {@code <s>} or pad) and DDIM with the fixture's initial latents. Shared by the tiny and the
 * bundled model's parity tests.
 */
final class ReferenceRuns {
    private ReferenceRuns() { }

    static List<Integer> toList(long[] v) {
        List<Integer> l = new ArrayList<>();
        for (long x : v) {
            l.add((int) x);
        }
        return l;
    }

    static int greedy(InterleavedSession s, TokenConfig tok) {
        float[] logits = s.logits();
        logits[tok.image()] = Float.NEGATIVE_INFINITY;
        logits[tok.bos()] = Float.NEGATIVE_INFINITY;
        logits[tok.pad()] = Float.NEGATIVE_INFINITY;
        return TokenSampler.argmax(logits);
    }

    /** {@code t2i.*}: the condition and the image for {@code <s> caption <|beginofimage|>}. */
    static void textToImage(MMInterleaved model, NDManager m, Fixture f, int steps, float guidance) {
        try (InterleavedSession s = new InterleavedSession(model, m)) {
            s.appendTokens(toList(f.longs("t2i.ids")));
            NDArray cond = s.conditionForLastBoi(m);
            Tolerances.assertClose("t2i context", f.get("t2i.context"), cond, Tolerances.BLOCK);
            NDArray img = s.paint(m, new DDIMScheduler(model.config.scheduler()), steps, guidance,
                    f.get("t2i.latents"), StepNoise.NONE, GenerationListener.NONE, CancellationToken.NEVER);
            Tolerances.assertClose("t2i image", f.get("t2i.image"), img, Tolerances.BLOCK);
        }
    }

    /**
     * {@code continue.*}: the prompt (text, an image, text), then twice: greedy text of at most {@code maxTokens},
     * an image. Checks the token ids of the whole run and both images.
     */
    static void continueTwice(MMInterleaved model, NDManager m, Fixture f, int maxTokens, int steps, float guidance) {
        TokenConfig tok = model.config.tokens();
        try (InterleavedSession s = new InterleavedSession(model, m)) {
            List<Integer> prompt = toList(f.longs("continue.prompt_ids"));
            int boi = prompt.indexOf(tok.boi());
            s.appendTokens(prompt.subList(0, boi));
            s.appendImage(f.get("continue.image0"));
            s.appendTokens(prompt.subList(boi + 1 + model.config.numImageTokens(), prompt.size()));
            NDArray lat = f.get("continue.latents");
            List<NDArray> made = new ArrayList<>();
            while (made.size() < 2) {
                for (int i = 0; i < maxTokens; i++) {
                    int next = greedy(s, tok);
                    if (next == tok.eos() || next == tok.boi()) {
                        assertEquals(tok.boi(), next, "the fixture's run never stops on </s>");
                        break;
                    }
                    s.appendTokens(List.of(next));
                }
                s.appendTokens(List.of(tok.boi()));
                NDArray img = s.paint(m, new DDIMScheduler(model.config.scheduler()), steps, guidance,
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
}
