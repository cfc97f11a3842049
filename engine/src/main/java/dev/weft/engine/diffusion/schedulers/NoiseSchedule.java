package dev.weft.engine.diffusion.schedulers;

import dev.weft.engine.config.SchedulerConfig;

/**
 * The forward-process tables every sampler shares, computed as diffusers 0.20 does in fp32.
 *
 * <p>Notation (Ho et al. 2020): {@code beta_t} forward variance, {@code alpha_t = 1 - beta_t},
 * {@code abar_t = prod_{s <= t} alpha_s} ({@code alphas_cumprod}), t = 0 .. T-1.
 *
 * <p>Numerics: {@code scaled_linear} is {@code torch.linspace(sqrt(b0), sqrt(b1), T, dtype=float32) ** 2}
 * (linspace evaluated as torch's CPU kernel does: from the start for the first half, from the end for the
 * second); {@code torch.cumprod} on the CPU accumulates in double and rounds each prefix to float.
 */
public final class NoiseSchedule {
    public final int trainSteps;
    private final float[] betas;
    private final float[] alphasCumprod;

    public NoiseSchedule(SchedulerConfig cfg) {
        this.trainSteps = cfg.numTrainTimesteps();
        int n = trainSteps;
        this.betas = new float[n];
        boolean scaled = "scaled_linear".equals(cfg.betaSchedule());
        float start = (float) (scaled ? Math.sqrt(cfg.betaStart()) : cfg.betaStart());
        float end = (float) (scaled ? Math.sqrt(cfg.betaEnd()) : cfg.betaEnd());
        float step = n > 1 ? (end - start) / (n - 1) : 0f;
        int halfway = n / 2;
        for (int i = 0; i < n; i++) {
            float v = i < halfway ? start + step * i : end - step * (n - i - 1);
            betas[i] = scaled ? v * v : v;
        }
        this.alphasCumprod = new float[n];
        double acc = 1.0;
        for (int i = 0; i < n; i++) {
            acc *= (1f - betas[i]);
            alphasCumprod[i] = (float) acc;
        }
    }

    /** {@code abar_t}. */
    public float abar(int t) {
        if (t < 0 || t >= trainSteps) {
            throw new IllegalArgumentException("timestep: expected 0.." + (trainSteps - 1) + ", found " + t);
        }
        return alphasCumprod[t];
    }

    /** A copy of {@code alphas_cumprod} (T). */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** A copy of {@code betas} (T). */
    public float[] betas() {
        return betas.clone();
    }

    static float sqrt(float v) {
        return (float) Math.sqrt(v);
    }
}
