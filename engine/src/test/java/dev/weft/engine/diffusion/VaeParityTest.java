package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.VaeConfig;
import dev.weft.engine.nn.Params;
import dev.weft.engine.testing.Fixture;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.testing.Tolerances;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AutoencoderKL against engine/training/fixtures/export_vae.py (tiny config, 64x64 images, 8x8 latents). */
class VaeParityTest {

    @Test
    void encodeAndDecodeMatchTorch() {
        NativeTests.assumeNative();
        try (NDManager m = NDManager.newBaseManager(); Fixture f = Fixture.open("vae", m)) {
            Params params = Params.load(f.weights(), m);
            AutoencoderKL vae = new AutoencoderKL(params.root().pp("vae"), VaeConfig.tiny());
            params.requireComplete();

            NDArray image = f.get("image");
            double tol = Tolerances.BLOCK;
            // encoder stages (intermediate: the mid block output)
            NDArray h = vae.encoder.convIn.forward(image);
            for (DownEncoderBlock2D b : vae.encoder.downBlocks) {
                h = b.forward(h);
            }
            Tolerances.assertClose("vae encoder.mid_block", f.get("encoder.mid_out"), vae.encoder.midBlock.forward(h), tol);
            AutoencoderKL.Posterior post = vae.encodeDistribution(image);
            Tolerances.assertClose("vae posterior mean", f.get("mean"), post.mean(), tol);
            Tolerances.assertClose("vae posterior logvar", f.get("logvar"), post.logvar(), tol);
            Tolerances.assertClose("vae posterior sample", f.get("sample"), post.sample(f.get("noise")), tol);
            Tolerances.assertClose("vae encode()", f.get("mean"), vae.encode(image), tol);
            Tolerances.assertClose("vae decode()", f.get("decoded"), vae.decode(f.get("latent_in")), tol);
            // the caller's input survives the internal scoping
            assertTrue(!image.isReleased());

            assertThrows(IllegalArgumentException.class, () -> vae.encode(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 60, 64))));
            assertThrows(IllegalArgumentException.class, () -> vae.decode(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 8, 8))));
        }
    }

    /** Shapes only: the SD 2.1-base VAE has 83,653,863 parameters (diffusers' AutoencoderKL, 2.x config). */
    @Test
    void sd21BaseParameterCount() {
        Params params = Params.shapesOnly();
        new AutoencoderKL(params.root().pp("image_decoder.decoder.vae"), VaeConfig.sd21Base());
        long n = params.parameterCount();
        System.out.printf("SD 2.1-base VAE parameters: %,d (%.2f M), %d tensors%n", n, n / 1e6, params.shapes().size());
        assertEquals(83_653_863L, n);
    }
}
