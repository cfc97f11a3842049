package dev.weft.engine.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.SchedulerConfig;

/**
 * A diffusion sampler with diffusers 0.20 behaviour. Dimensions: x, eps, noise are any shape, typically the
 * latent (B, 4, h, w); t is a training timestep in 0 .. T-1.
 *
 * <p>A scheduler is stateful, like diffusers': {@link #timesteps(int)} starts a run (it is diffusers'
 * {@code set_timesteps}, and resets any multistep memory); then call {@link #step} once per returned timestep,
 * in order. Use one instance per concurrent run. Typical loop:
 * <pre>
 *   int[] ts = s.timesteps(30);
 *   NDArray x = initialNoise.mul(s.initNoiseSigma());
 *   for (int t : ts) {
 *       NDArray eps = model(s.scaleModelInput(x, t), t);    // with CFG: eps_u + g (eps_c - eps_u)
 *       x = s.step(eps, t, x, noise);
 *   }
 * </pre>
 * Arrays returned by {@code step} and {@code addNoise} are created on the manager of {@code x} (of {@code x0}).
 * Only epsilon prediction is implemented (SD 2.1-base); other {@code prediction_type}s are rejected.
 */
public interface Scheduler extends AutoCloseable {

    /** The run's timesteps, descending (diffusers {@code set_timesteps} then {@code scheduler.timesteps}). */
    int[] timesteps(int numInferenceSteps);

    /** Scales the model input at t: identity for DDPM, DDIM and DPM-Solver++. */
    default NDArray scaleModelInput(NDArray x, int t) {
        return x;
    }

    /** Standard deviation of the initial latent noise ({@code init_noise_sigma}): 1 here. */
    default float initNoiseSigma() {
        return 1f;
    }

    /**
     * One reverse step from {@code x} at t to the next timestep of the run.
     *
     * @param eps the model's noise prediction at (x, t), same shape as x
     * @param t the current timestep, one of {@link #timesteps(int)}
     * @param x the current sample
     * @param noise standard-normal source for stochastic steps ({@link StepNoise#NONE} for deterministic ones)
     * @return the sample at the next timestep
     */
    NDArray step(NDArray eps, int t, NDArray x, StepNoise noise);

    /** Forward process q(x_t | x_0): {@code sqrt(abar_t) x0 + sqrt(1 - abar_t) noise}. */
    NDArray addNoise(NDArray x0, NDArray noise, int t);

    /** The tables ({@code alphas_cumprod} ...). */
    NoiseSchedule schedule();

    SchedulerConfig config();

    /** Frees any state the scheduler holds (DPM-Solver's previous prediction). */
    @Override
    default void close() {
    }
}
