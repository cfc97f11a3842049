"""Compares weft_ref.vae.AutoencoderKL (and the shared blocks) with diffusers' AutoencoderKL, same weights.

Loads our randomised state_dict into diffusers' model with strict=True (proves the names and shapes equal the
library's), then compares encoder moments and decoder output. Prints max abs diff; exits 1 above 1e-4, 0 when
diffusers is missing (skipped). Run: python3 check_vae.py
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from weft_ref import config  # noqa: E402
from weft_ref.diffusion_blocks import randomise_  # noqa: E402
from weft_ref.vae import AutoencoderKL  # noqa: E402


def main():
    try:
        import diffusers
    except ImportError:
        print("SKIP: diffusers is not installed")
        return 0
    torch.manual_seed(0)
    for name in ("tiny", "mm-interleaved-13b"):
        cfg = config.load(name).vae
        ours = randomise_(AutoencoderKL(cfg)).eval()
        n = len(cfg.block_out_channels)
        lib = diffusers.AutoencoderKL(
            in_channels=cfg.in_channels, out_channels=cfg.in_channels, latent_channels=cfg.latent_channels,
            down_block_types=("DownEncoderBlock2D",) * n, up_block_types=("UpDecoderBlock2D",) * n,
            block_out_channels=tuple(cfg.block_out_channels), layers_per_block=cfg.layers_per_block,
            norm_num_groups=cfg.norm_num_groups, scaling_factor=cfg.scaling_factor).eval()
        lib.load_state_dict(ours.state_dict(), strict=True)
        size = 64
        x = torch.rand(1, 3, size, size) * 2 - 1
        z = torch.randn(1, cfg.latent_channels, size // 2 ** (n - 1), size // 2 ** (n - 1))
        with torch.no_grad():
            mean, logvar = ours.encode(x)
            post = lib.encode(x).latent_dist
            dec = ours.decode(z)
            dec_lib = lib.decode(z).sample
        worst = 0.0
        for what, a, b in (("mean", mean, post.mean), ("logvar", logvar, post.logvar), ("decoded", dec, dec_lib)):
            d = (a - b).abs().max().item()
            worst = max(worst, d / max(1.0, b.abs().max().item()))
            print(f"{name} vae {what}: max abs diff {d:.3e} (ref max {b.abs().max().item():.3e})")
        params = sum(p.numel() for p in lib.parameters())
        print(f"{name} vae parameters: {params:,}")
        if worst > 1e-4:
            print("FAIL")
            return 1
    print(f"OK (diffusers {diffusers.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
