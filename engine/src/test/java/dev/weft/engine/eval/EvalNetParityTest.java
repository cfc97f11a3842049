package dev.weft.engine.eval;

import ai.djl.ndarray.NDManager;
import dev.weft.engine.nn.Params;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import dev.weft.engine.weights.SafetensorsWeights;
import dev.weft.engine.weights.WeightSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The evaluator network against engine/training/fixtures/export_evaluator.py. */
class EvalNetParityTest {
    static final Path SHIPPED = Path.of("../assets/evaluators/evalnet.safetensors");

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void randomisedNarrowNetMatchesTorch() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("evalnet", m);
             WeightSource w = f.weights()) {
            Params p = Params.load(w, m);
            EvalNet net = new EvalNet(p.root(), new int[] {8, 16, 16, 24});
            p.requireComplete();
            EvalNet.Output o = net.forward(f.get("x"));
            Tolerances.assertClose("evalnet cls", f.get("cls"), o.cls(), Tolerances.BLOCK);
            Tolerances.assertClose("evalnet colour", f.get("colour"), o.colour(), Tolerances.BLOCK);
            Tolerances.assertClose("evalnet style", f.get("style"), o.style(), Tolerances.BLOCK);
        }
    }

    @Test
    void shippedWeightsMatchTorch() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("evalnet_trained", m);
             WeightSource w = SafetensorsWeights.open(SHIPPED)) {
            EvalNet net = EvalNet.load(w, m);
            assertArrayEquals(new int[] {32, 64, 96, 128}, net.widths());
            EvalNet.Output o = net.forward(f.get("x"));
            Tolerances.assertClose("evalnet (shipped) cls", f.get("cls"), o.cls(), Tolerances.BLOCK);
            Tolerances.assertClose("evalnet (shipped) colour", f.get("colour"), o.colour(), Tolerances.BLOCK);
            Tolerances.assertClose("evalnet (shipped) style", f.get("style"), o.style(), Tolerances.BLOCK);
        }
    }
}
