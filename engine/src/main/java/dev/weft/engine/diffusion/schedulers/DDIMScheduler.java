package dev.weft.engine.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.SchedulerConfig;

/**
 * diffusers 0.20 {@code DDIMScheduler} with SD 2.1-base's config: {@code set_alpha_to_one=false},
 * {@code clip_sample=false}, no thresholding, {@code timestep_spacing="leading"}, {@code steps_offset=1}, eta 0
 * by default (deterministic).
 *
 * <p>Paper: J. Song, C. Meng, S. Ermon, "Denoising Diffusion Implicit Models", ICLR 2021, arXiv:2010.02502
 * (eq. 12, sigma from eq. 16). The paper's alpha is diffusers' {@code alphas_cumprod}.
 *
 * <p>Notation (code : paper):
 * <pre>
 *   abarT, abarP : alpha_t, alpha_{t-1}  (p = t - T/n; when p &lt; 0, abar_0 since set_alpha_to_one=false)
 *   eps          : epsilon_theta^(t)(x_t)
 *   x0           : "predicted x_0" = (x_t - sqrt(1 - alpha_t) eps) / sqrt(alpha_t)
 *   sigma        : sigma_t(eta) = eta sqrt((1 - alpha_{t-1}) / (1 - alpha_t)) sqrt(1 - alpha_t / alpha_{t-1})
 *   direction    : "direction pointing to x_t" = sqrt(1 - alpha_{t-1} - sigma_t^2) eps
 *   result       : x_{t-1} = sqrt(alpha_{t-1}) x0 + direction + sigma_t z   (z only when eta &gt; 0)
 * </pre>
 * With eta = 1 this equals DDPM ancestral sampling. Reference: {@code weft_ref/schedulers.py::DDIM}.
 */
public final class DDIMScheduler extends AbstractScheduler {
    private final float eta;
    private final float finalAbar;

    /** eta 0, leading spacing. */
    public DDIMScheduler(SchedulerConfig config) {
        this(config, 0f, TimestepSpacing.LEADING);
    }

    public DDIMScheduler(SchedulerConfig config, float eta, TimestepSpacing spacing) {
        super(config, spacing);
        if (eta < 0) {
            throw new IllegalArgumentException("DDIM eta: expected >= 0, found " + eta);
        }
        this.eta = eta;
        this.finalAbar = schedule.abar(0);
    }

    @Override
    public NDArray step(NDArray eps, int t, NDArray x, StepNoise noise) {
        if (numInferenceSteps == 0) {
            throw new IllegalStateException("DDIM: call timesteps(n) before step");
        }
        checkSame("eps", x, eps);
        int p = t - config.numTrainTimesteps() / numInferenceSteps;
        // 1. alphas at t and at the previous run timestep
        float abarT = schedule.abar(t);
        float abarP = p >= 0 ? schedule.abar(p) : finalAbar;
        float betaProdT = 1f - abarT;
        float betaProdP = 1f - abarP;
        // 2. predicted x_0
        NDArray x0 = x.sub(eps.mul(NoiseSchedule.sqrt(betaProdT))).div(NoiseSchedule.sqrt(abarT));
        // 3. sigma_t(eta) (eq. 16)
        float variance = (betaProdP / betaProdT) * (1f - abarT / abarP);
        float sigma = eta * NoiseSchedule.sqrt(variance);
        // 4. eq. 12
        NDArray direction = eps.mul(NoiseSchedule.sqrt(1f - abarP - sigma * sigma));
        NDArray out = x0.mul(NoiseSchedule.sqrt(abarP)).add(direction);
        if (eta > 0) {
            NDArray z = noise.next(x.getManager(), x.getShape());
            checkSame("noise", x, z);
            out = out.add(z.mul(sigma));
        }
        return out;
    }
}
