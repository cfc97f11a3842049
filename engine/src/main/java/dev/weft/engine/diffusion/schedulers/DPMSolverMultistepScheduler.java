package dev.weft.engine.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.weft.engine.config.SchedulerConfig;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * diffusers 0.20 {@code DPMSolverMultistepScheduler} with its defaults: {@code algorithm_type="dpmsolver++"},
 * {@code solver_order=2}, {@code solver_type="midpoint"}, {@code lower_order_final=True}, no Karras sigmas,
 * {@code lambda_min_clipped=-inf}, {@code timestep_spacing="linspace"} (0.20's default for this class; SD 2.1-base's
 * config does not set it, so {@code steps_offset} is unused with it).
 *
 * <p>Paper: C. Lu, Y. Zhou, F. Bao, J. Chen, C. Li, J. Zhu, "DPM-Solver++: Fast Solver for Guided Sampling of
 * Diffusion Probabilistic Models", arXiv:2211.01095, Algorithm 2 (multistep second order, data prediction).
 *
 * <p>Notation (code : paper), s the current timestep, t the next one, s1 the previous one:
 * <pre>
 *   alphaT, sigmaT : alpha_t = sqrt(abar_t), sigma_t = sqrt(1 - abar_t)       (tables on the T training steps)
 *   lambda         : lambda_t = log(alpha_t) - log(sigma_t)                    (half log-SNR)
 *   x0             : x_theta(x_s, s) = (x_s - sigma_s eps) / alpha_s           (data prediction)
 *   h              : h_i = lambda_t - lambda_s
 *   r              : r_i = h_{i-1} / h_i = (lambda_s - lambda_s1) / h_i
 *   d              : D_i = x0_i + (x0_i - x0_{i-1}) / (2 r_i)  (diffusers writes D0 + 0.5 D1, D1 = (m0 - m1)/r0)
 *   result         : x_t = (sigma_t / sigma_s) x_s - alpha_t (e^{-h_i} - 1) D_i
 *                    (first order, = DDIM: D_i = x0_i, used at the first step and, with fewer than 15 steps,
 *                     at the last one: lower_order_final)
 * </pre>
 * The last step of a run targets training timestep 0 (diffusers 0.20: {@code prev_timestep = 0}, i.e.
 * sigma_0 = sqrt(1 - abar_0), about 0.029, not the sigma = 0 of later versions' {@code final_sigmas_type="zero"}).
 *
 * <p>State: the previous step's data prediction is kept between calls, detached from the caller's scopes on a
 * manager this scheduler owns ({@link #close()} frees it; {@link #timesteps(int)} resets it). Reference:
 * {@code weft_ref/schedulers.py::DPMSolverPP2M}.
 */
public final class DPMSolverMultistepScheduler extends AbstractScheduler {
    private final float[] alphaT;
    private final float[] sigmaT;
    private final float[] lambda;
    private int[] ts;
    private NDManager stateManager;
    private NDArray prevX0;
    private int prevT = -1;
    private int lowerOrderNums;

    public DPMSolverMultistepScheduler(SchedulerConfig config) {
        this(config, TimestepSpacing.LINSPACE);
    }

    public DPMSolverMultistepScheduler(SchedulerConfig config, TimestepSpacing spacing) {
        super(config, spacing);
        int n = config.numTrainTimesteps();
        float[] abar = schedule.alphasCumprod();
        this.alphaT = new float[n];
        this.sigmaT = new float[n];
        this.lambda = new float[n];
        for (int i = 0; i < n; i++) {
            alphaT[i] = NoiseSchedule.sqrt(abar[i]);
            sigmaT[i] = NoiseSchedule.sqrt(1f - abar[i]);
            lambda[i] = (float) Math.log(alphaT[i]) - (float) Math.log(sigmaT[i]);
        }
    }

    /**
     * 0.20's {@code set_timesteps}: n+1 points over [0, T-1] (linspace) or spaced by T // (n+1) (leading, plus
     * steps_offset), reversed, the final point dropped; duplicates removed keeping the first occurrence.
     */
    @Override
    public int[] timesteps(int numInferenceSteps) {
        int t = config.numTrainTimesteps();
        int n = numInferenceSteps;
        if (n < 1 || n > t) {
            throw new IllegalArgumentException("num_inference_steps: expected 1.." + t + ", found " + n);
        }
        int[] raw;
        switch (spacing) {
            case LINSPACE -> {
                double[] y = TimestepSpacing.linspace(0, t - 1, n + 1);
                raw = new int[n];
                for (int i = 0; i < n; i++) {
                    raw[i] = (int) Math.rint(y[n - i]);
                }
            }
            case LEADING -> {
                int ratio = t / (n + 1);
                raw = new int[n];
                for (int i = 0; i < n; i++) {
                    raw[i] = (n - i) * ratio + config.stepsOffset();
                }
            }
            case TRAILING -> raw = TimestepSpacing.trailing(t, t, n);
            default -> throw new IllegalStateException(spacing.name());
        }
        Set<Integer> unique = new LinkedHashSet<>();
        for (int v : raw) {
            unique.add(v);
        }
        this.ts = unique.stream().mapToInt(Integer::intValue).toArray();
        resetState();
        return ts.clone();
    }

    @Override
    public NDArray step(NDArray eps, int s, NDArray x, StepNoise noise) {
        if (ts == null) {
            throw new IllegalStateException("DPM-Solver: call timesteps(n) before step");
        }
        checkSame("eps", x, eps);
        // 1. where we are in the run, and the target timestep
        int i = ts.length - 1;
        for (int k = 0; k < ts.length; k++) {
            if (ts[k] == s) {
                i = k;
                break;
            }
        }
        boolean last = i == ts.length - 1;
        int t = last ? 0 : ts[i + 1];
        boolean lowerOrderFinal = last && ts.length < 15;
        // 2. data prediction x_theta
        NDArray x0 = x.sub(eps.mul(sigmaT[s])).div(alphaT[s]);
        // 3. the exponential-integrator step
        float h = lambda[t] - lambda[s];
        float phi = (float) Math.exp(-h) - 1f;       // e^{-h} - 1
        float ratio = sigmaT[t] / sigmaT[s];
        float a = alphaT[t] * phi;
        NDArray out;
        if (lowerOrderNums < 1 || lowerOrderFinal) {
            // first order (DDIM)
            out = x.mul(ratio).sub(x0.mul(a));
        } else {
            // second order (multistep midpoint)
            int s1 = ts[i - 1];
            float r = (lambda[s] - lambda[s1]) / h;
            NDArray d1 = x0.sub(prevX0).mul(1f / r);
            out = x.mul(ratio).sub(x0.mul(a)).sub(d1.mul(0.5f * a));
        }
        // 4. remember this prediction for the next step
        keep(x0, s);
        if (lowerOrderNums < 2) {
            lowerOrderNums++;
        }
        return out;
    }

    private void keep(NDArray x0, int s) {
        if (stateManager == null) {
            stateManager = NDManager.newBaseManager(x0.getDevice());
        }
        if (prevX0 != null) {
            prevX0.close();
        }
        NDScope.unregister(x0);
        x0.attach(stateManager);
        prevX0 = x0;
        prevT = s;
    }

    private void resetState() {
        if (prevX0 != null) {
            prevX0.close();
        }
        prevX0 = null;
        prevT = -1;
        lowerOrderNums = 0;
    }

    /** The previous step's timestep, or -1 at the start of a run. */
    public int previousTimestep() {
        return prevT;
    }

    @Override
    public void close() {
        resetState();
        if (stateManager != null) {
            stateManager.close();
            stateManager = null;
        }
    }
}
