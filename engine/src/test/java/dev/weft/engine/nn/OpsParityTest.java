package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Shared ops against fixtures from engine/training/fixtures/export_ops.py. */
class OpsParityTest {

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void gridSampleMatchesTorch() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("ops", m)) {
            NDArray out = Ops.gridSample(f.get("grid_sample.value"), f.get("grid_sample.grid"));
            Tolerances.assertClose("grid_sample", f.get("grid_sample.out"), out, 1e-5);
        }
    }

    @Test
    void msDeformAttnMatchesTorch() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("ops", m)) {
            long[] s = f.longs("msda.shapes");
            long[][] shapes = new long[s.length / 2][];
            for (int i = 0; i < shapes.length; i++) {
                shapes[i] = new long[] {s[2 * i], s[2 * i + 1]};
            }
            NDArray out = Ops.msDeformAttn(f.get("msda.value"), shapes, f.get("msda.locations"), f.get("msda.weights"));
            Tolerances.assertClose("ms_deform_attn", f.get("msda.out"), out, 1e-5);
        }
    }

    @Test
    void sinCos2dMatchesMae() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("ops", m)) {
            Tolerances.assertClose("sincos_2d", f.get("sincos2d.out"), Ops.sinCos2d(m, 16, 3, 4), 1e-6);
        }
    }
}
