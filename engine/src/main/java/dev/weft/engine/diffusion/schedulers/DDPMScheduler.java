package dev.weft.engine.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.SchedulerConfig;

/**
 * diffusers 0.20 {@code DDPMScheduler} as MM-Interleaved builds it from SD 2.1-base's scheduler_config
 * ({@code variance_type="fixed_small"}, {@code clip_sample=false}, no thresholding, {@code timestep_spacing=
 * "leading"}, {@code steps_offset=1}). MM-Interleaved's default sampler (30 steps, 250 for its COCO FID).
 *
 * <p>Paper: J. Ho, A. Jain, P. Abbeel, "Denoising Diffusion Probabilistic Models", NeurIPS 2020,
 * arXiv:2006.11239 (eqs. 6, 7 and 15), applied on the sub-sequence of timesteps of a short run.
 *
 * <p>Notation (code : paper):
 * <pre>
 *   abarT, abarP : abar_t, abar_{t-1}   (alphas_cumprod at t and at the previous run timestep p = t - T/n;
 *                                        abar_p = 1 when p &lt; 0)
 *   alpha, beta  : alpha_t = abar_t / abar_{t-1}, beta_t = 1 - alpha_t  (single-step values of the sub-chain)
 *   eps          : epsilon_theta(x_t, t)
 *   x0           : x_0 estimate  (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)                        (eq. 15)
 *   mean         : mu~_t(x_t, x_0) = sqrt(abar_{t-1}) beta_t / (1 - abar_t) x_0
 *                                  + sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t) x_t                  (eq. 7)
 *   variance     : beta~_t = (1 - abar_{t-1}) / (1 - abar_t) beta_t, floored at 1e-20  ("fixed_small")
 *   z            : z ~ N(0, I), drawn whenever t &gt; 0 (so at every step of a run, the last one, t = 1, too)
 *   result       : x_{t-1} = mu~_t + sqrt(beta~_t) z                                                  (eq. 6)
 * </pre>
 * Scalars are computed in float in diffusers' order (its 0-dim fp32 tensors). Reference:
 * {@code engine/training/weft_ref/schedulers.py::DDPM}.
 */
public final class DDPMScheduler extends AbstractScheduler {
    public DDPMScheduler(SchedulerConfig config) {
        this(config, TimestepSpacing.LEADING);
    }

    public DDPMScheduler(SchedulerConfig config, TimestepSpacing spacing) {
        super(config, spacing);
    }

    @Override
    public NDArray step(NDArray eps, int t, NDArray x, StepNoise noise) {
        checkSame("eps", x, eps);
        int n = numInferenceSteps > 0 ? numInferenceSteps : config.numTrainTimesteps();
        int p = t - config.numTrainTimesteps() / n;
        // 1. the sub-chain's single-step quantities
        float abarT = schedule.abar(t);
        float abarP = p >= 0 ? schedule.abar(p) : 1f;
        float betaProdT = 1f - abarT;
        float betaProdP = 1f - abarP;
        float alpha = abarT / abarP;
        float beta = 1f - alpha;
        // 2. x_0 estimate (eq. 15)
        NDArray x0 = x.sub(eps.mul(NoiseSchedule.sqrt(betaProdT))).div(NoiseSchedule.sqrt(abarT));
        // 3. posterior mean (eq. 7)
        float cx0 = NoiseSchedule.sqrt(abarP) * beta / betaProdT;
        float cxt = NoiseSchedule.sqrt(alpha) * betaProdP / betaProdT;
        NDArray mean = x0.mul(cx0).add(x.mul(cxt));
        // 4. posterior noise (eq. 6, fixed_small)
        if (t > 0) {
            float variance = Math.max(betaProdP / betaProdT * beta, 1e-20f);
            NDArray z = noise.next(x.getManager(), x.getShape());
            checkSame("noise", x, z);
            mean = mean.add(z.mul(NoiseSchedule.sqrt(variance)));
        }
        return mean;
    }
}
