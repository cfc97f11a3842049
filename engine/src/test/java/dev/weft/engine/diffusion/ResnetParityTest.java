package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDManager;
import dev.weft.engine.nn.Params;
import dev.weft.engine.nn.WeightPath;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** Shared diffusion blocks against engine/training/fixtures/export_resnet.py. */
class ResnetParityTest {

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void blocksMatchTorch() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("resnet", m)) {
            Params params = Params.load(f.weights(), m);
            WeightPath r = params.root();
            ResnetBlock2D temb = new ResnetBlock2D(r.pp("temb"), 8, 16, 12, 4, 1e-5f);
            ResnetBlock2D plain = new ResnetBlock2D(r.pp("plain"), 16, 16, 0, 4, 1e-6f);
            ResnetBlock2D shortcut = new ResnetBlock2D(r.pp("short"), 16, 8, 0, 4, 1e-6f);
            Downsample2D down1 = new Downsample2D(r.pp("down1"), 8, 1);
            Downsample2D down0 = new Downsample2D(r.pp("down0"), 8, 0);
            Upsample2D up = new Upsample2D(r.pp("up"), 8);
            params.requireComplete();

            var x8 = f.get("x8");
            var x16 = f.get("x16");
            var xOdd = f.get("x_odd");
            double tol = Tolerances.BLOCK;
            Tolerances.assertClose("resnet temb+shortcut", f.get("temb.out"), temb.forward(x8, f.get("temb")), tol);
            Tolerances.assertClose("resnet temb=null", f.get("temb.out_no_temb"), temb.forward(x8, null), tol);
            Tolerances.assertClose("resnet plain", f.get("plain.out"), plain.forward(x16, null), tol);
            Tolerances.assertClose("resnet shortcut", f.get("short.out"), shortcut.forward(x16, null), tol);
            Tolerances.assertClose("downsample pad1", f.get("down1.out"), down1.forward(x8), tol);
            Tolerances.assertClose("downsample pad1 odd", f.get("down1.out_odd"), down1.forward(xOdd), tol);
            Tolerances.assertClose("downsample pad0 (vae)", f.get("down0.out"), down0.forward(x8), tol);
            Tolerances.assertClose("upsample x2", f.get("up.out"), up.forward(x8), tol);
            Tolerances.assertClose("upsample to size", f.get("up.out_size"), up.forward(xOdd, new long[] {9, 13}), tol);

            assertThrows(IllegalArgumentException.class, () -> temb.forward(x16, null));
            assertThrows(IllegalArgumentException.class, () -> temb.forward(x8, f.get("x8")));
        }
    }
}
