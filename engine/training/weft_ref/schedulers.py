"""Samplers with the exact behaviour of diffusers 0.20's DDPMScheduler, DDIMScheduler and
DPMSolverMultistepScheduler (DPM-Solver++ 2M), written from the papers.

Only epsilon prediction, no clipping or thresholding (SD 2.1-base: clip_sample false), as MM-Interleaved uses them.
Noise for stochastic steps comes from the caller (a callable noise(shape) -> tensor), so runs are reproducible.

Shared notation (DDPM paper, Ho et al. 2020): beta_t the forward variance, alpha_t = 1 - beta_t,
abar_t = prod_{s<=t} alpha_s ("alphas_cumprod"). Tables are fp32 as in diffusers: betas from an fp32 linspace of
sqrt(beta) squared, abar from torch.cumprod (which accumulates in double on the CPU).
"""
import math

import numpy as np
import torch


def alphas_cumprod(cfg):
    """abar_t for t = 0..T-1 (fp32)."""
    t = cfg.num_train_timesteps
    if cfg.beta_schedule == "scaled_linear":
        betas = torch.linspace(cfg.beta_start ** 0.5, cfg.beta_end ** 0.5, t, dtype=torch.float32) ** 2
    elif cfg.beta_schedule == "linear":
        betas = torch.linspace(cfg.beta_start, cfg.beta_end, t, dtype=torch.float32)
    else:
        raise ValueError(cfg.beta_schedule)
    return torch.cumprod(1.0 - betas, dim=0)


def spaced_timesteps(spacing, train_steps, n, offset):
    """Inference timesteps, descending: 'leading' (i * T//n + offset), 'linspace' (round(linspace(0, T-1, n))),
    'trailing' (round(arange(T, 0, -T/n)) - 1)."""
    if spacing == "leading":
        ratio = train_steps // n
        ts = (np.arange(n) * ratio)[::-1] + offset
    elif spacing == "linspace":
        ts = np.linspace(0, train_steps - 1, n).round()[::-1]
    elif spacing == "trailing":
        ts = np.round(np.arange(train_steps, 0, -train_steps / n)) - 1
    else:
        raise ValueError(spacing)
    return [int(v) for v in ts]


class _Spaced:
    """DDPM's and DDIM's shared state and ``set_timesteps`` (diffusers 0.20: n timesteps picked by ``spacing``)."""

    def __init__(self, cfg, spacing="leading"):
        self.cfg = cfg
        self.abar = alphas_cumprod(cfg)
        self.spacing = spacing
        self.n = None

    def set_timesteps(self, n):
        self.n = n
        return spaced_timesteps(self.spacing, self.cfg.num_train_timesteps, n, self.cfg.steps_offset)

    def _prev(self, t):
        return t - self.cfg.num_train_timesteps // self.n


class DDPM(_Spaced):
    """Ancestral sampling, Ho et al. 2020 (arXiv 2006.11239), eqs. (6), (7), (15), on a sub-sequence of timesteps.

    For the step t -> p (p = t - T//n, or "p < 0" meaning abar_p = 1):
      x0_hat   = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)                              (eq. 15)
      alpha    = abar_t / abar_p,  beta = 1 - alpha          (the single-step quantities of the sub-chain)
      mu       = sqrt(abar_p) beta / (1 - abar_t) x0_hat + sqrt(alpha) (1 - abar_p) / (1 - abar_t) x_t   (eq. 7)
      var      = max((1 - abar_p) / (1 - abar_t) beta, 1e-20)            (beta tilde, "fixed_small")
      x_p      = mu + sqrt(var) z   (z drawn whenever t > 0, so also at the last step)
    """

    def step(self, eps, t, x, noise):
        p = self._prev(t)
        one = torch.tensor(1.0)
        abar_t = self.abar[t]
        abar_p = self.abar[p] if p >= 0 else one
        alpha = abar_t / abar_p
        beta = 1 - alpha
        x0 = (x - (1 - abar_t) ** 0.5 * eps) / abar_t ** 0.5
        mu = (abar_p ** 0.5 * beta) / (1 - abar_t) * x0 + alpha ** 0.5 * (1 - abar_p) / (1 - abar_t) * x
        if t > 0:
            var = torch.clamp((1 - abar_p) / (1 - abar_t) * beta, min=1e-20)
            mu = mu + var ** 0.5 * noise(x.shape)
        return mu

    def add_noise(self, x0, z, t):
        return self.abar[t] ** 0.5 * x0 + (1 - self.abar[t]) ** 0.5 * z


class DDIM(_Spaced):
    """Song et al. 2020 (arXiv 2010.02502), eq. (12) with sigma from eq. (16). The paper's alpha is abar here.

    For t -> p (p = t - T//n; p < 0 uses abar_0 since set_alpha_to_one is false):
      x0_hat = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)
      sigma  = eta sqrt((1 - abar_p) / (1 - abar_t)) sqrt(1 - abar_t / abar_p)
      x_p    = sqrt(abar_p) x0_hat + sqrt(1 - abar_p - sigma^2) eps + sigma z   (z only when eta > 0)
    """

    def __init__(self, cfg, eta=0.0, spacing="leading"):
        super().__init__(cfg, spacing)
        self.final = self.abar[0]
        self.eta = eta

    def step(self, eps, t, x, noise):
        p = self._prev(t)
        abar_t = self.abar[t]
        abar_p = self.abar[p] if p >= 0 else self.final
        x0 = (x - (1 - abar_t) ** 0.5 * eps) / abar_t ** 0.5
        var = ((1 - abar_p) / (1 - abar_t)) * (1 - abar_t / abar_p)
        sigma = self.eta * var ** 0.5
        out = abar_p ** 0.5 * x0 + (1 - abar_p - sigma ** 2) ** 0.5 * eps
        if self.eta > 0:
            out = out + sigma * noise(x.shape)
        return out


class DPMSolverPP2M:
    """DPM-Solver++(2M), Lu et al. 2022 (arXiv 2211.01095), Algorithm 2, data prediction, "midpoint" form.

    alpha_t = sqrt(abar_t), sigma_t = sqrt(1 - abar_t), lambda_t = log alpha_t - log sigma_t (tables on the
    1000 training steps). Data prediction x0_i = (x - sigma_s eps) / alpha_s. For the step s -> t with
    h = lambda_t - lambda_s:
      first order  x_t = (sigma_t / sigma_s) x - alpha_t (e^{-h} - 1) x0_i                  (= DDIM)
      second order r = (lambda_s - lambda_{s'}) / h,  D = x0_i + (x0_i - x0_{i-1}) / (2 r)
                   x_t = (sigma_t / sigma_s) x - alpha_t (e^{-h} - 1) D
    The first step is first order; with fewer than 15 steps the last one is too (lower_order_final). The last
    step lands on the training timestep 0 (diffusers 0.20), not on sigma = 0. Timesteps: 'linspace' (0.20's
    default for this class) takes round(linspace(0, T-1, n+1)) reversed without its final 0.
    """

    def __init__(self, cfg, spacing="linspace"):
        self.cfg = cfg
        abar = alphas_cumprod(cfg)
        self.alpha = torch.sqrt(abar)
        self.sigma = torch.sqrt(1 - abar)
        self.lam = torch.log(self.alpha) - torch.log(self.sigma)
        self.spacing = spacing
        self.ts = None

    def set_timesteps(self, n):
        t = self.cfg.num_train_timesteps  # lambda_min_clipped = -inf: nothing is clipped
        if self.spacing == "linspace":
            ts = np.linspace(0, t - 1, n + 1).round()[::-1][:-1]
        elif self.spacing == "leading":
            ratio = t // (n + 1)
            ts = (np.arange(n + 1) * ratio)[::-1][:-1] + self.cfg.steps_offset
        elif self.spacing == "trailing":
            ts = np.arange(t, 0, -t / n).round() - 1
        else:
            raise ValueError(self.spacing)
        ts = [int(v) for v in ts]
        seen = []
        for v in ts:  # keep first occurrences, in order
            if v not in seen:
                seen.append(v)
        self.ts = seen
        self.prev_x0 = None
        self.prev_t = None
        self.done = 0
        return list(self.ts)

    def step(self, eps, s, x, noise=None):
        i = self.ts.index(s) if s in self.ts else len(self.ts) - 1
        last = i == len(self.ts) - 1
        t = 0 if last else self.ts[i + 1]
        x0 = (x - self.sigma[s] * eps) / self.alpha[s]
        h = self.lam[t] - self.lam[s]
        phi = torch.exp(-h) - 1.0
        lower_final = last and len(self.ts) < 15
        if self.done < 1 or lower_final:
            out = (self.sigma[t] / self.sigma[s]) * x - (self.alpha[t] * phi) * x0
        else:
            r = (self.lam[s] - self.lam[self.prev_t]) / h
            d1 = (1.0 / r) * (x0 - self.prev_x0)
            out = (self.sigma[t] / self.sigma[s]) * x - (self.alpha[t] * phi) * x0 - 0.5 * (self.alpha[t] * phi) * d1
        self.prev_x0, self.prev_t = x0, s
        self.done = min(self.done + 1, 2)
        return out


def dummy_model(x, t, pattern):
    """The fixtures' stand-in for the UNet: eps = 0.1 x + pattern * t / 1000."""
    return 0.1 * x + pattern * (t / 1000.0)


def _check():
    """Self-test of the spacing helpers on known values."""
    assert spaced_timesteps("leading", 1000, 10, 1) == [901, 801, 701, 601, 501, 401, 301, 201, 101, 1]
    assert math.isclose(float(alphas_cumprod(type("C", (), dict(num_train_timesteps=1000, beta_start=0.00085,
                                                               beta_end=0.012, beta_schedule="scaled_linear"))())[-1]),
                        0.0047, rel_tol=0.05)


if __name__ == "__main__":
    _check()
    print("ok")
