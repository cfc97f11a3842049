"""Compares weft_ref.unet.UNet2DConditionModel (and Transformer2DModel inside it) with diffusers'
UNet2DConditionModel, same weights.

Loads our randomised state_dict into diffusers' model with strict=True (proves names and shapes equal the
library's), compares the noise prediction on a batch of 2 with per-sample timesteps, and prints the SD 2.1-base
parameter count from diffusers (865,910,724 expected). Prints max abs diff; exits 1 above 1e-4 (relative to the
output's scale), 0 when diffusers is missing (skipped). Run: python3 check_unet.py
MMFSNet has no library counterpart (it is MM-Interleaved's own code): it is checked by the fixtures only.
"""
import copy
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from weft_ref import config  # noqa: E402
from weft_ref.diffusion_blocks import randomise_  # noqa: E402
from weft_ref.unet import UNet2DConditionModel  # noqa: E402


def library_unet(diffusers, cfg):
    n = len(cfg.block_out_channels)
    return diffusers.UNet2DConditionModel(
        sample_size=cfg.sample_size, in_channels=cfg.in_channels, out_channels=cfg.out_channels,
        down_block_types=("CrossAttnDownBlock2D",) * (n - 1) + ("DownBlock2D",),
        up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * (n - 1),
        block_out_channels=tuple(cfg.block_out_channels), layers_per_block=cfg.layers_per_block,
        attention_head_dim=tuple(cfg.attention_head_dim), cross_attention_dim=cfg.cross_attention_dim,
        norm_num_groups=cfg.norm_num_groups, norm_eps=cfg.norm_eps,
        use_linear_projection=cfg.use_linear_projection, flip_sin_to_cos=True, freq_shift=0)


def main():
    try:
        import diffusers
    except ImportError:
        print("SKIP: diffusers is not installed")
        return 0
    torch.manual_seed(0)
    tiny = config.load("tiny").unet
    lpb2 = copy.deepcopy(tiny)
    lpb2.layers_per_block = 2
    worst = 0.0
    for name, cfg in (("tiny", tiny), ("tiny, layers_per_block 2", lpb2)):
        ours = randomise_(UNet2DConditionModel(cfg)).eval()
        lib = library_unet(diffusers, cfg).eval()
        lib.load_state_dict(ours.state_dict(), strict=True)
        s = cfg.sample_size
        x = torch.randn(2, cfg.in_channels, s, s)
        t = torch.tensor([981, 41])
        ctx = torch.randn(2, 7, cfg.cross_attention_dim)
        with torch.no_grad():
            a = ours(x, t, ctx)
            b = lib(x, t, ctx).sample
        d = (a - b).abs().max().item()
        worst = max(worst, d / max(1.0, b.abs().max().item()))
        print(f"{name} unet: max abs diff {d:.3e} (ref max {b.abs().max().item():.3e})")
    sd = library_unet(diffusers, config.load("mm-interleaved-13b").unet)
    print(f"SD 2.1-base unet parameters (diffusers): {sum(p.numel() for p in sd.parameters()):,}")
    if worst > 1e-4:
        print("FAIL")
        return 1
    print(f"OK (diffusers {diffusers.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
