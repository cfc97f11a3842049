"""Compares weft_ref.schedulers with diffusers' DDPMScheduler, DDIMScheduler and DPMSolverMultistepScheduler built
from SD 2.1-base's scheduler_config (PNDMScheduler config: clip_sample false, set_alpha_to_one false,
steps_offset 1, no timestep_spacing). Runs 10/20/30-step chains with a dummy model and fixed noises.
Prints max abs diff; exits 1 above 1e-4 or on a timestep mismatch, 0 when diffusers is missing (skipped).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from weft_ref import config  # noqa: E402
from weft_ref.schedulers import DDIM, DDPM, DPMSolverPP2M, dummy_model  # noqa: E402

SD21_BASE = {  # stabilityai/stable-diffusion-2-1-base scheduler/scheduler_config.json
    "_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
    "clip_sample": False, "num_train_timesteps": 1000, "prediction_type": "epsilon", "set_alpha_to_one": False,
    "skip_prk_steps": True, "steps_offset": 1, "trained_betas": None,
}


def main():
    try:
        import diffusers
    except ImportError:
        print("SKIP: diffusers is not installed")
        return 0
    cfg = config.load("mm-interleaved-13b").scheduler
    torch.manual_seed(0)
    shape = (2, 4, 8, 8)
    x_start = torch.randn(shape)
    pattern = torch.randn(shape) * 0.5
    noises = torch.randn((40,) + shape)
    bad = False
    cases = [("ddpm", diffusers.DDPMScheduler, lambda: DDPM(cfg), {}),
             ("ddim", diffusers.DDIMScheduler, lambda: DDIM(cfg), {"eta": 0.0}),
             ("ddim_eta1", diffusers.DDIMScheduler, lambda: DDIM(cfg, eta=1.0), {"eta": 1.0}),
             ("dpm++2m", diffusers.DPMSolverMultistepScheduler, lambda: DPMSolverPP2M(cfg), {})]
    for name, lib_cls, ours_fn, kw in cases:
        for n in (10, 20, 30):
            lib = lib_cls.from_config(SD21_BASE)
            ours = ours_fn()
            lib.set_timesteps(n)
            ts = ours.set_timesteps(n)
            if [int(v) for v in lib.timesteps] != ts:
                print(f"{name} {n}: timesteps differ: {lib.timesteps.tolist()} vs {ts}")
                bad = True
                continue
            k = [0]

            def noise(shape_):
                z = noises[k[0]]
                k[0] += 1
                return z

            xa = xb = x_start
            worst = 0.0
            for i, t in enumerate(ts):
                xa = ours.step(dummy_model(xa, t, pattern), t, xa, noise)
                if name == "ddpm":  # diffusers draws its own noise: hand it ours
                    import diffusers.schedulers.scheduling_ddpm as mod
                    mod.randn_tensor = lambda *a, _z=noises[i], **k2: _z
                    extra = {}
                elif name.startswith("ddim"):
                    extra = {"eta": kw["eta"]}
                    if kw["eta"] > 0:
                        extra["variance_noise"] = noises[i]
                else:
                    extra = {}
                xb = lib.step(dummy_model(xb, t, pattern), torch.tensor(t), xb, **extra).prev_sample
                worst = max(worst, (xa - xb).abs().max().item())
            print(f"{name} {n} steps: max abs diff over the chain {worst:.3e} (|x| {xb.abs().max().item():.2f})")
            bad |= worst > 1e-4
    print("FAIL" if bad else f"OK (diffusers {diffusers.__version__})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
