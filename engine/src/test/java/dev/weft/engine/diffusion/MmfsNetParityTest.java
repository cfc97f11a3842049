package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.UNetConfig;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.qformer.MmiPosEmbed;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * MMFSNet (13 blocks for SD; numDownSkips() + 1 = 5 for tiny) against engine/training/fixtures/export_mmfsnet.py:
 * tiny config, batch 2, sample 1's image slot hidden, every parameter random (zero-initialised ones included).
 */
class MmfsNetParityTest {

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void mmfsNetMatchesTorch() {
        UNetConfig cfg = UNetConfig.tiny();
        VisionConfig vision = VisionConfig.tiny();
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("mmfsnet", m)) {
            Params params = Params.load(f.weights(), m);
            MmfsNet net = new MmfsNet(params.root().pp("mmfs_module"), cfg, vision.hiddenSize(),
                    vision.featureSizes());
            params.requireComplete();

            // features given as (B, Cv, h, w): the one-slot form
            List<NDArray> feats = new ArrayList<>();
            for (int l = 0; l < 4; l++) {
                feats.add(f.get("feature." + l).squeeze(1));
            }
            MmfsNet.Prepared prepared = net.prepare(new MmfsInput(feats, f.get("mask")));
            List<NDArray> skips = new ArrayList<>();
            for (int i = 0; i < cfg.numDownSkips(); i++) {
                skips.add(f.get("skip." + i));
            }
            NDArray mid = net.apply(f.get("mid"), skips, prepared);
            for (int i = 0; i < cfg.numDownSkips(); i++) {
                Tolerances.assertClose("mmfs_down_blocks." + i + " (skip + residual)", f.get("skip." + i + ".out"),
                        skips.get(i), Tolerances.BLOCK);
            }
            Tolerances.assertClose("mmfs_mid_block (mid + residual)", f.get("mid.out"), mid, Tolerances.BLOCK);
        }
    }

    @Test
    void posEmbedResizeIsTorchBicubic() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("mmfsnet", m)) {
            NDArray table = f.get("bicubic.src");
            for (int t : new int[] {32, 16, 8}) {
                Tolerances.assertClose("pos_embed 64 -> " + t + " (bicubic)", f.get("bicubic." + t),
                        MmiPosEmbed.absPos(table, t), 1e-5);
            }
        }
    }

    @Test
    void posEmbedInitIsMmiSinCos() {
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("mmfsnet", m)) {
            int grid = UNetConfig.tiny().sampleSize();
            Tolerances.assertClose("pos_embed init (32 ch)", f.get("pos_embed_init.32"),
                    MmiPosEmbed.sinCos2d(m, 32, grid, false), 1e-6);
            Tolerances.assertClose("pos_embed init (64 ch)", f.get("pos_embed_init.64"),
                    MmiPosEmbed.sinCos2d(m, 64, grid, false), 1e-6);
        }
    }
}
