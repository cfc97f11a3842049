package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.VaeConfig;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.Scoped;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers 0.20 {@code AutoencoderKL}, the Stable Diffusion 2.1-base VAE (frozen in MM-Interleaved; checkpoint
 * prefix {@code image_decoder.decoder.vae}).
 *
 * <p>Dimensions: B batch, 3 image channels, L latent channels (4), H/W image side, h = H/f, w = W/f latent side,
 * f = {@link VaeConfig#downsampleFactor()} (8).
 *
 * <p>Parameters: {@code encoder.*} ({@link VaeEncoder}), {@code quant_conv} (1x1, 2L to 2L),
 * {@code post_quant_conv} (1x1, L to L), {@code decoder.*} ({@link VaeDecoder}).
 *
 * <p><b>Scaling.</b> Neither {@link #encode} nor {@link #decode} applies {@code scaling_factor} (0.18215), exactly
 * as in diffusers. The diffusion model works on {@code latents = encode(image) * scalingFactor} (or a sample of
 * the posterior times the factor); before decoding, divide: {@code decode(latents / scalingFactor)}
 * (MM-Interleaved {@code sd.py}: {@code latents = 1 / vae.config.scaling_factor * latents}). Images are
 * (B, 3, H, W) in [-1, 1] both ways (SD maps [0, 1] pixels with {@code x * 2 - 1}; the decoder's output is not
 * clamped: callers clamp {@code (x / 2 + 0.5)} to [0, 1]).
 *
 * <p>Mirrors {@code diffusers/models/autoencoder_kl.py} (reference: {@code weft_ref/vae.py::AutoencoderKL}).
 */
public final class AutoencoderKL {
    /** The posterior {@code DiagonalGaussianDistribution}: mean and log-variance, each (B, L, h, w). */
    public record Posterior(NDArray mean, NDArray logvar) {
        /** {@code mean + exp(logvar / 2) * noise}, noise (B, L, h, w) standard normal from the caller. */
        public NDArray sample(NDArray noise) {
            if (!noise.getShape().equals(mean.getShape())) {
                throw new IllegalArgumentException("VAE posterior noise: expected " + mean.getShape() + ", found "
                        + noise.getShape());
            }
            return mean.add(logvar.mul(0.5f).exp().mul(noise));
        }
    }

    public final VaeConfig config;
    public final VaeEncoder encoder;
    public final Conv2d quantConv;
    public final Conv2d postQuantConv;
    public final VaeDecoder decoder;

    public AutoencoderKL(WeightPath p, VaeConfig cfg) {
        this.config = cfg;
        long l = cfg.latentChannels();
        this.encoder = new VaeEncoder(p.pp("encoder"), cfg);
        this.decoder = new VaeDecoder(p.pp("decoder"), cfg);
        this.quantConv = new Conv2d(p.pp("quant_conv"), 2 * l, 2 * l, 1, 1, 0, true);
        this.postQuantConv = new Conv2d(p.pp("post_quant_conv"), l, l, 1, 1, 0, true);
    }

    /** {@code scaling_factor} of the config (0.18215 for SD 2.1-base). */
    public float scalingFactor() {
        return (float) config.scalingFactor();
    }

    /**
     * The posterior for an image.
     *
     * @param image (B, 3, H, W) in [-1, 1], H and W multiples of f
     * @return mean and log-variance (clamped to [-30, 20] as diffusers does), each (B, L, H/f, W/f), unscaled
     */
    public Posterior encodeDistribution(NDArray image) {
        long f = config.downsampleFactor();
        if (image.getShape().dimension() != 4 || image.getShape().get(2) % f != 0 || image.getShape().get(3) % f != 0) {
            throw new IllegalArgumentException("VAE image: expected (B, " + config.inChannels()
                    + ", H, W) with H, W multiples of " + f + ", found " + image.getShape());
        }
        // 1. encoder, 2. quant_conv
        NDArray moments = Scoped.chain(encoder.forward(image), image, quantConv::forward); // (B, 2L, h, w)
        // 3. split into mean and logvar (chunk(2, dim=1)), clamp the log-variance
        long l = config.latentChannels();
        NDArray mean = moments.get(":, 0:" + l);                                  // (B, L, h, w)
        NDArray logvar = moments.get(":, " + l + ":").clip(-30f, 20f);           // (B, L, h, w)
        return new Posterior(mean, logvar);
    }

    /**
     * The posterior mean (the deterministic latent; MM-Interleaved itself samples during training).
     *
     * @param image (B, 3, H, W) in [-1, 1]
     * @return (B, L, H/f, W/f), not yet multiplied by {@link #scalingFactor()}
     */
    public NDArray encode(NDArray image) {
        return encodeDistribution(image).mean();
    }

    /**
     * @param latents (B, L, h, w), already divided by {@link #scalingFactor()}
     * @return (B, 3, h*f, w*f), about [-1, 1] (not clamped)
     */
    public NDArray decode(NDArray latents) {
        if (latents.getShape().dimension() != 4 || latents.getShape().get(1) != config.latentChannels()) {
            throw new IllegalArgumentException("VAE latents: expected (B, " + config.latentChannels()
                    + ", h, w), found " + latents.getShape());
        }
        // 1. post_quant_conv, 2. decoder
        NDArray z = Scoped.run(() -> postQuantConv.forward(latents));             // (B, L, h, w)
        return Scoped.chain(z, latents, decoder::forward);                       // (B, 3, H, W)
    }
}
