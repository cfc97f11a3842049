"""diffusers 0.20 AutoencoderKL (models/autoencoder_kl.py, models/vae.py), written from the math.

State-dict keys equal diffusers 0.20's (the MM-Interleaved checkpoint stores them under image_decoder.decoder.vae):
  encoder.{conv_in, down_blocks.{i}.{resnets.{j}, downsamplers.0.conv}, mid_block.{resnets.{0,1},
           attentions.0.{group_norm, to_q, to_k, to_v, to_out.0}}, conv_norm_out, conv_out}
  quant_conv, post_quant_conv
  decoder.{conv_in, mid_block.*, up_blocks.{i}.{resnets.{j}, upsamplers.0.conv}, conv_norm_out, conv_out}
The mid-block attention uses 0.20's Attention names (older checkpoints: query/key/value/proj_attn).
All GroupNorms use eps 1e-6. Runs on torch 1.13 and 2.x (no SDPA).
"""
import torch
import torch.nn.functional as F
from torch import nn

from .diffusion_blocks import Downsample2D, ResnetBlock2D, Upsample2D
from .ops import attention


class VaeAttention(nn.Module):
    """Single-head spatial self-attention with a residual: x + to_out(softmax(q k^T / sqrt(C)) v), on GN(x)."""

    def __init__(self, channels, groups, eps=1e-6):
        super().__init__()
        self.group_norm = nn.GroupNorm(groups, channels, eps=eps)
        self.to_q = nn.Linear(channels, channels)
        self.to_k = nn.Linear(channels, channels)
        self.to_v = nn.Linear(channels, channels)
        self.to_out = nn.ModuleList([nn.Linear(channels, channels)])

    def forward(self, x):
        b, c, h, w = x.shape
        t = self.group_norm(x).view(b, c, h * w).transpose(1, 2)          # (B, HW, C)
        o = attention(self.to_q(t), self.to_k(t), self.to_v(t))          # (B, HW, C)
        o = self.to_out[0](o).transpose(1, 2).reshape(b, c, h, w)
        return x + o


class MidBlock(nn.Module):
    """UNetMidBlock2D without time embedding: resnet, attention, resnet."""

    def __init__(self, channels, groups):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(channels, channels, 0, groups, 1e-6) for _ in range(2)])
        self.attentions = nn.ModuleList([VaeAttention(channels, groups)])

    def forward(self, x):
        x = self.resnets[0](x)
        x = self.attentions[0](x)
        return self.resnets[1](x)


class DownEncoderBlock2D(nn.Module):
    def __init__(self, cin, cout, layers, groups, add_downsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if j == 0 else cout, cout, 0, groups, 1e-6)
                                      for j in range(layers)])
        self.downsamplers = nn.ModuleList([Downsample2D(cout, padding=0)]) if add_downsample else None

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
        return x


class UpDecoderBlock2D(nn.Module):
    def __init__(self, cin, cout, layers, groups, add_upsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if j == 0 else cout, cout, 0, groups, 1e-6)
                                      for j in range(layers)])
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if add_upsample else None

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch = cfg.block_out_channels
        g = cfg.norm_num_groups
        self.conv_in = nn.Conv2d(cfg.in_channels, ch[0], 3, padding=1)
        self.down_blocks = nn.ModuleList()
        prev = ch[0]
        for i, c in enumerate(ch):
            self.down_blocks.append(DownEncoderBlock2D(prev, c, cfg.layers_per_block, g, i < len(ch) - 1))
            prev = c
        self.mid_block = MidBlock(ch[-1], g)
        self.conv_norm_out = nn.GroupNorm(g, ch[-1], eps=1e-6)
        self.conv_out = nn.Conv2d(ch[-1], 2 * cfg.latent_channels, 3, padding=1)

    def forward(self, x):
        x = self.conv_in(x)
        for b in self.down_blocks:
            x = b(x)
        x = self.mid_block(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class Decoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch = list(reversed(cfg.block_out_channels))
        g = cfg.norm_num_groups
        self.conv_in = nn.Conv2d(cfg.latent_channels, ch[0], 3, padding=1)
        self.mid_block = MidBlock(ch[0], g)
        self.up_blocks = nn.ModuleList()
        prev = ch[0]
        for i, c in enumerate(ch):
            self.up_blocks.append(UpDecoderBlock2D(prev, c, cfg.layers_per_block + 1, g, i < len(ch) - 1))
            prev = c
        self.conv_norm_out = nn.GroupNorm(g, ch[-1], eps=1e-6)
        self.conv_out = nn.Conv2d(ch[-1], cfg.in_channels, 3, padding=1)

    def forward(self, z):
        x = self.conv_in(z)
        x = self.mid_block(x)
        for b in self.up_blocks:
            x = b(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class AutoencoderKL(nn.Module):
    """encode(image in [-1, 1]) -> (mean, logvar); decode(latent / scaling_factor) -> image in about [-1, 1]."""

    def __init__(self, cfg):
        super().__init__()
        lc = cfg.latent_channels
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)
        self.quant_conv = nn.Conv2d(2 * lc, 2 * lc, 1)
        self.post_quant_conv = nn.Conv2d(lc, lc, 1)

    def encode(self, x):
        moments = self.quant_conv(self.encoder(x))
        mean, logvar = moments.chunk(2, dim=1)
        return mean, logvar.clamp(-30.0, 20.0)

    @staticmethod
    def sample(mean, logvar, noise):
        """DiagonalGaussianDistribution.sample with the noise given: mean + exp(logvar / 2) * noise."""
        return mean + torch.exp(0.5 * logvar) * noise

    def decode(self, z):
        return self.decoder(self.post_quant_conv(z))
