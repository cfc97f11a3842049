package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * ViT-Adapter outputs of {@link ClipVisionAdapter} against engine/training/fixtures/export_vision.py: the
 * spatial-prior tokens c2..c4, each interaction block's patch map, and the four multi-scale maps c1..c4
 * (the fixture keeps c1 of image 1 only, to stay small).
 */
class AdapterParityTest {

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void featureMapsMatchReference() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("vision", m)) {
            Params params = Params.load(f.weights(), m);
            ClipVisionAdapter enc = new ClipVisionAdapter(params.root().pp(ViTParityTest.PREFIX), VisionConfig.tiny());
            params.requireComplete();
            ClipVisionAdapter.Trace t = enc.forwardWithTrace(f.get("pixels"));
            for (int k = 1; k <= 3; k++) {
                Tolerances.assertClose("spm.c" + (k + 1), f.get("spm.c" + (k + 1)), t.spatialPriors().get(k),
                        Tolerances.BLOCK);
            }
            for (int i = 0; i < t.interactionOutputs().size(); i++) {
                Tolerances.assertClose("adapter.x." + i, f.get("adapter.x." + i), t.interactionOutputs().get(i),
                        Tolerances.BLOCK);
            }
            NDArray c1 = t.output().features().get(0);
            Tolerances.assertClose("out.c1 (image 1)", f.get("out.c1"), c1.get("1:2"), Tolerances.BLOCK);
            for (int k = 2; k <= 4; k++) {
                Tolerances.assertClose("out.c" + k, f.get("out.c" + k), t.output().features().get(k - 1),
                        Tolerances.BLOCK);
            }
            Tolerances.assertClose("out.last_hidden", f.get("out.last_hidden"), t.output().lastHidden(),
                    Tolerances.BLOCK);
        }
    }

    @Test
    void scaleSourcesAreTheReferencesForFourBlocks() {
        assertArrayEquals(new int[] {0, 1, 2, 3}, ClipVisionAdapter.scaleSources(4));
        assertArrayEquals(new int[] {0, 0, 1, 1}, ClipVisionAdapter.scaleSources(2));
        assertArrayEquals(new int[] {1, 3, 5, 7}, ClipVisionAdapter.scaleSources(8));
    }

    @Test
    void rejectsWrongImageSize() {
        try (NDManager m = NDManager.newBaseManager()) {
            Params params = Params.init(m, 1);
            ClipVisionAdapter enc = new ClipVisionAdapter(params.root().pp(ViTParityTest.PREFIX), VisionConfig.tiny());
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> enc.forward(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 30, 30))));
        }
    }
}
