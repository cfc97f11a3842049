package dev.weft.engine.mmfs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.MmfsConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Mmfs} against engine/training/fixtures/export_mmfs.py (LLM-style and UNet-style calls, tiny sizes). */
class MmfsParityTest {

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    private static long[][] shapes(Fixture f, String name) {
        long[] s = f.longs(name);
        long[][] r = new long[s.length / 2][];
        for (int i = 0; i < r.length; i++) {
            r[i] = new long[] {s[2 * i], s[2 * i + 1]};
        }
        return r;
    }

    private static int[] sides(long[][] shapes) {
        int[] r = new int[shapes.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = (int) shapes[i][0];
        }
        return r;
    }

    @Test
    void llmStyleCallMatchesReference() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("mmfs", m)) {
            Params params = Params.load(f.weights(), m).ignoreUnexpected(n -> n.startsWith("unet."));
            long[][] shapes = shapes(f, "llm.shapes");
            Mmfs mmfs = new Mmfs(params.root().pp("llm"), MmfsConfig.llmTiny(), 64, 32, 64, sides(shapes),
                    (int) f.longs("llm.base")[0]);
            params.requireComplete();
            NDArray q = f.get("llm.query");
            NDArray feats = f.get("llm.features");
            NDArray mask = f.get("llm.mask");
            assertArrayEquals(f.longs("llm.relpos"), Mmfs.relativePositions(mask).toLongArray());
            NDArray ref = Mmfs.centreReferencePoints(m, q.getShape().get(1));
            Tolerances.assertClose("mmfs llm reference points", f.get("llm.reference_points"), ref, 0);
            Tolerances.assertClose("mmfs llm out", f.get("llm.out"), mmfs.forward(q, ref, feats, shapes, mask),
                    Tolerances.BLOCK);
            // one new token, a mask with more rows than queries: its last row applies (cached decoding)
            NDArray last = mmfs.forwardProjected(q.get(":, -1:, :"), ref.get(":, -1:, :"), mmfs.projectValue(feats),
                    shapes, mask);
            Tolerances.assertClose("mmfs llm out (last row)", f.get("llm.out_last"), last, Tolerances.BLOCK);
            assertThrows(IllegalArgumentException.class,
                    () -> mmfs.forward(q, ref, feats, shapes, mask.get(":, :, :2")));
        }
    }

    @Test
    void unetStyleCallMatchesReference() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("mmfs", m)) {
            Params params = Params.load(f.weights(), m).ignoreUnexpected(n -> n.startsWith("llm."));
            long[][] shapes = shapes(f, "unet.shapes");
            Mmfs mmfs = new Mmfs(params.root().pp("unet"), MmfsConfig.unetTiny(), 32, 32, 32, sides(shapes),
                    (int) f.longs("unet.base")[0]);
            params.requireComplete();
            NDArray ref = Mmfs.gridReferencePoints(m, 4, 4);
            Tolerances.assertClose("mmfs unet reference points", f.get("unet.reference_points"), ref, 0);
            NDArray out = mmfs.forward(f.get("unet.query"), ref, f.get("unet.features"), shapes, f.get("unet.mask"));
            Tolerances.assertClose("mmfs unet out", f.get("unet.out"), out, Tolerances.BLOCK);
        }
    }
}
