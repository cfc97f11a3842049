"""diffusers 0.20 building blocks shared by the UNet and the VAE (models/resnet.py), written from the math.

State-dict keys equal diffusers' names: ResnetBlock2D {norm1, conv1, time_emb_proj, norm2, conv2, conv_shortcut},
Downsample2D {conv}, Upsample2D {conv}. Only the configuration SD uses is built: pre-norm, SiLU, the "default"
time-embedding norm (temb added after conv1), output_scale_factor 1, no up/down inside the resnet.
Runs on torch 1.13 and 2.x.
"""
import torch
import torch.nn.functional as F
from torch import nn


class ResnetBlock2D(nn.Module):
    """x -> GN, SiLU, conv3x3 (+ proj(SiLU(temb))) -> GN, SiLU, conv3x3 -> + shortcut(x).

    temb_channels 0 means no time embedding (the VAE). conv_shortcut (1x1) exists when in != out.
    """

    def __init__(self, in_channels, out_channels, temb_channels=0, groups=32, eps=1e-6):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_channels, eps=eps)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb_channels, out_channels) if temb_channels > 0 else None
        self.norm2 = nn.GroupNorm(groups, out_channels, eps=eps)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else None

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None and temb is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        skip = self.conv_shortcut(x) if self.conv_shortcut is not None else x
        return skip + h


class Downsample2D(nn.Module):
    """Strided 3x3 conv. padding 0 is the VAE's variant: zero-pad right and bottom by one first."""

    def __init__(self, channels, padding=1):
        super().__init__()
        self.padding = padding
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=padding)

    def forward(self, x):
        if self.padding == 0:
            x = F.pad(x, (0, 1, 0, 1))
        return self.conv(x)


class Upsample2D(nn.Module):
    """Nearest-neighbour x2 (or to output_size), then a 3x3 conv."""

    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x, output_size=None):
        if output_size is None:
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        else:
            x = F.interpolate(x, size=output_size, mode="nearest")
        return self.conv(x)


def randomise_(module, std=0.2):
    """Fixture helper: matrices and kernels normal(0, 1/sqrt(fan_in)) (unit gain, so deep stacks stay O(1)),
    biases normal(0, std), norm weights normal(1, std): every path matters, nothing is left at zero."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() > 1:
                p.normal_(0.0, 1.0 / (p[0].numel() ** 0.5))
            elif name.endswith("weight"):
                p.normal_(1.0, std)
            else:
                p.normal_(0.0, std)
    return module
