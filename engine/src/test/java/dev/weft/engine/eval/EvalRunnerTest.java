package dev.weft.engine.eval;

import ai.djl.ndarray.NDManager;
import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.SamplingOptions;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.weights.SafetensorsWeights;
import dev.weft.engine.weights.WeightSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ceiling and floor columns alone (no model): the evaluator reads ground truth well and noise badly. */
class EvalRunnerTest {
    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void groundTruthIsNearOneAndRandomNearZero() {
        try (NDManager m = NDManager.newBaseManager(); WeightSource w = SafetensorsWeights.open(EvalNetParityTest.SHIPPED);
             SceneReader r = new SceneReader(EvalNet.load(w, m), m)) {
            EvalRunner.Options o = new EvalRunner.Options(1000, 6, 2, SamplingOptions.defaults());
            EvalRunner.Report rep = new EvalRunner(r, o, s -> { }, new CancellationToken()).run(null, null);
            System.out.print(EvalTable.format(rep));
            for (EvalRunner.Metric metric : EvalRunner.Metric.values()) {
                double truth = rep.get(metric, EvalRunner.Column.TRUTH);
                double random = rep.get(metric, EvalRunner.Column.RANDOM);
                assertTrue(truth >= 0.9, metric + ": ground truth " + truth);
                if (metric != EvalRunner.Metric.I2T_PARSE) { // a random caption is a real caption
                    assertTrue(random <= 0.4, metric + ": random " + random);
                }
                assertTrue(Double.isNaN(rep.get(metric, EvalRunner.Column.MODEL)));
            }
            assertEquals(1.0, rep.get(EvalRunner.Metric.STORY_PARSE, EvalRunner.Column.TRUTH));
        }
    }

    @Test
    void trainingSeedsAreRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new EvalRunner.Options(1, 1, 2, SamplingOptions.defaults()));
        assertTrue(e.getMessage().contains(">= 1000"), e.getMessage());
    }
}
