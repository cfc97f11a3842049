"""Stable Diffusion 2.x UNet (diffusers 0.20 UNet2DConditionModel, SD block layout) plus MM-Interleaved's MMFSNet.

Mirrors, with state_dict keys equal to the checkpoint's (relative to the prefixes given):
- ``image_decoder.decoder.unet.*``: diffusers ``UNet2DConditionModel`` (time_proj / time_embedding, conv_in,
  CrossAttnDownBlock2D x (n-1) + DownBlock2D, UNetMidBlock2DCrossAttn, UpBlock2D + CrossAttnUpBlock2D x (n-1),
  conv_norm_out, conv_out), SD 2.x flavour (linear proj_in / proj_out, ``attention_head_dim`` = heads per block);
- ``image_decoder.decoder.mmfs_module.*``: ``MMFSNet`` (MMI: models/decoders/sd_mmfs.py) whose residuals are added
  to the down-path skips and the mid-block output after the mid block
  (MMI: models/utils/monkey_patch/sd_unet_forward_monkey_patch.py).

B batch, C channels, H, W feature-map size, T tokens, D width. Runs on torch 1.13 and 2.x (no SDPA).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from . import diffusion_blocks as db
from . import mmfs as mmfs_mod
from . import ops


# ----------------------------------------------------------------------------------------------- time embedding

def timestep_sinusoid(timesteps, dim, flip_sin_to_cos=True, freq_shift=0.0, max_period=10000.0):
    """diffusers get_timestep_embedding: (B,) -> (B, dim); all in fp32, same op order as diffusers."""
    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(0, half, dtype=torch.float32)
    exponent = exponent / (half - freq_shift)
    freqs = torch.exp(exponent)
    args = timesteps[:, None].float() * freqs[None, :]
    emb = torch.cat([torch.sin(args), torch.cos(args)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    if dim % 2 == 1:
        emb = F.pad(emb, (0, 1, 0, 0))
    return emb


class TimestepEmbedding(nn.Module):
    """linear_1 -> SiLU -> linear_2."""

    def __init__(self, in_dim, dim):
        super().__init__()
        self.linear_1 = nn.Linear(in_dim, dim)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x):
        return self.linear_2(F.silu(self.linear_1(x)))


# ------------------------------------------------------------------------------------------------- transformer

class Attention(nn.Module):
    """diffusers Attention with the default processor: to_q/to_k/to_v without bias, to_out.0 with bias."""

    def __init__(self, query_dim, cross_dim, heads, dim_head):
        super().__init__()
        inner = heads * dim_head
        self.heads = heads
        self.to_q = nn.Linear(query_dim, inner, bias=False)
        self.to_k = nn.Linear(cross_dim or query_dim, inner, bias=False)
        self.to_v = nn.Linear(cross_dim or query_dim, inner, bias=False)
        self.to_out = nn.ModuleList([nn.Linear(inner, query_dim), nn.Dropout(0.0)])

    def forward(self, x, context=None):
        context = x if context is None else context
        b, t, _ = x.shape
        q, k, v = self.to_q(x), self.to_k(context), self.to_v(context)

        def split(a):  # (B, T, H*Dh) -> (B, H, T, Dh)
            return a.view(b, a.shape[1], self.heads, -1).transpose(1, 2)

        o = ops.attention(split(q), split(k), split(v))                    # (B, H, T, Dh)
        o = o.transpose(1, 2).reshape(b, t, -1)                            # (B, T, H*Dh)
        return self.to_out[0](o)


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, inner * 2)

    def forward(self, x):
        h, gate = self.proj(x).chunk(2, dim=-1)
        return h * F.gelu(gate)


class FeedForward(nn.Module):
    """net.0 = GEGLU(dim, 4 dim), net.1 dropout, net.2 Linear(4 dim, dim)."""

    def __init__(self, dim, mult=4):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim, dim * mult), nn.Dropout(0.0), nn.Linear(dim * mult, dim)])

    def forward(self, x):
        return self.net[2](self.net[0](x))


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, heads, dim_head, cross_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-5)
        self.attn1 = Attention(dim, None, heads, dim_head)
        self.norm2 = nn.LayerNorm(dim, eps=1e-5)
        self.attn2 = Attention(dim, cross_dim, heads, dim_head)
        self.norm3 = nn.LayerNorm(dim, eps=1e-5)
        self.ff = FeedForward(dim)

    def forward(self, x, context):
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), context) + x
        return self.ff(self.norm3(x)) + x


class Transformer2DModel(nn.Module):
    """GroupNorm(eps 1e-6) -> proj_in -> 1 BasicTransformerBlock -> proj_out, plus the residual.

    SD 2.x (use_linear_projection): proj_in / proj_out are Linear on (B, H*W, C); SD 1.x: 1x1 convs.
    """

    def __init__(self, channels, heads, cross_dim, groups, use_linear_projection=True):
        super().__init__()
        dim_head = channels // heads
        inner = heads * dim_head
        self.linear = use_linear_projection
        self.norm = nn.GroupNorm(groups, channels, eps=1e-6, affine=True)
        if self.linear:
            self.proj_in = nn.Linear(channels, inner)
            self.proj_out = nn.Linear(inner, channels)
        else:
            self.proj_in = nn.Conv2d(channels, inner, 1)
            self.proj_out = nn.Conv2d(inner, channels, 1)
        self.transformer_blocks = nn.ModuleList([BasicTransformerBlock(inner, heads, dim_head, cross_dim)])

    def forward(self, x, context):
        b, c, h, w = x.shape
        residual = x
        x = self.norm(x)
        if self.linear:
            x = x.permute(0, 2, 3, 1).reshape(b, h * w, c)                 # (B, HW, C)
            x = self.proj_in(x)
        else:
            x = self.proj_in(x)
            x = x.permute(0, 2, 3, 1).reshape(b, h * w, -1)                # (B, HW, inner)
        for blk in self.transformer_blocks:
            x = blk(x, context)
        if self.linear:
            x = self.proj_out(x)
            x = x.reshape(b, h, w, c).permute(0, 3, 1, 2)                  # (B, C, H, W)
        else:
            x = x.reshape(b, h, w, -1).permute(0, 3, 1, 2)
            x = self.proj_out(x)
        return x + residual


# ------------------------------------------------------------------------------------------------------ blocks

class DownBlock(nn.Module):
    """CrossAttnDownBlock2D (heads > 0) or DownBlock2D (heads == 0); returns (x, skips)."""

    def __init__(self, cin, cout, layers, temb, groups, eps, heads, cross_dim, linear, add_downsample):
        super().__init__()
        self.resnets = nn.ModuleList(
            [db.ResnetBlock2D(cin if i == 0 else cout, cout, temb, groups, eps) for i in range(layers)])
        if heads > 0:
            self.attentions = nn.ModuleList(
                [Transformer2DModel(cout, heads, cross_dim, groups, linear) for _ in range(layers)])
        else:
            self.attentions = None
        self.downsamplers = nn.ModuleList([db.Downsample2D(cout, padding=1)]) if add_downsample else None

    def forward(self, x, temb, context):
        skips = []
        for i, resnet in enumerate(self.resnets):
            x = resnet(x, temb)
            if self.attentions is not None:
                x = self.attentions[i](x, context)
            skips.append(x)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
            skips.append(x)
        return x, skips


class UNetMidBlock2DCrossAttn(nn.Module):
    def __init__(self, channels, temb, groups, eps, heads, cross_dim, linear):
        super().__init__()
        self.resnets = nn.ModuleList([db.ResnetBlock2D(channels, channels, temb, groups, eps) for _ in range(2)])
        self.attentions = nn.ModuleList([Transformer2DModel(channels, heads, cross_dim, groups, linear)])

    def forward(self, x, temb, context):
        x = self.resnets[0](x, temb)
        x = self.attentions[0](x, context)
        return self.resnets[1](x, temb)


class UpBlock(nn.Module):
    """CrossAttnUpBlock2D (heads > 0) or UpBlock2D (heads == 0): layers + 1 resnets, each on [x, skip]."""

    def __init__(self, cin, prev, cout, layers, temb, groups, eps, heads, cross_dim, linear, add_upsample):
        super().__init__()
        n = layers + 1
        res = []
        for i in range(n):
            skip = cin if i == n - 1 else cout
            res.append(db.ResnetBlock2D((prev if i == 0 else cout) + skip, cout, temb, groups, eps))
        self.resnets = nn.ModuleList(res)
        if heads > 0:
            self.attentions = nn.ModuleList(
                [Transformer2DModel(cout, heads, cross_dim, groups, linear) for _ in range(n)])
        else:
            self.attentions = None
        self.upsamplers = nn.ModuleList([db.Upsample2D(cout)]) if add_upsample else None

    def forward(self, x, skips, temb, context):
        for i, resnet in enumerate(self.resnets):
            x = torch.cat([x, skips.pop()], dim=1)                          # (B, C + Cskip, H, W)
            x = resnet(x, temb)
            if self.attentions is not None:
                x = self.attentions[i](x, context)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class UNet2DConditionModel(nn.Module):
    """SD layout: CrossAttnDownBlock2D x (n-1), DownBlock2D; mid; UpBlock2D, CrossAttnUpBlock2D x (n-1)."""

    def __init__(self, cfg):
        super().__init__()
        ch = list(cfg.block_out_channels)
        heads = list(cfg.attention_head_dim)
        n = len(ch)
        temb = ch[0] * 4
        g, eps, cd, lin = cfg.norm_num_groups, cfg.norm_eps, cfg.cross_attention_dim, cfg.use_linear_projection
        self.time_dim = ch[0]
        self.time_embedding = TimestepEmbedding(ch[0], temb)
        self.conv_in = nn.Conv2d(cfg.in_channels, ch[0], 3, padding=1)
        self.down_blocks = nn.ModuleList()
        cout = ch[0]
        for i in range(n):
            cin, cout = cout, ch[i]
            last = i == n - 1
            self.down_blocks.append(DownBlock(cin, cout, cfg.layers_per_block, temb, g, eps,
                                              0 if last else heads[i], cd, lin, not last))
        self.mid_block = UNetMidBlock2DCrossAttn(ch[-1], temb, g, eps, heads[-1], cd, lin)
        rch, rheads = ch[::-1], heads[::-1]
        self.up_blocks = nn.ModuleList()
        cout = rch[0]
        for i in range(n):
            prev, cout = cout, rch[i]
            cin = rch[min(i + 1, n - 1)]
            last = i == n - 1
            self.up_blocks.append(UpBlock(cin, prev, cout, cfg.layers_per_block, temb, g, eps,
                                          0 if i == 0 else rheads[i], cd, lin, not last))
        self.conv_norm_out = nn.GroupNorm(g, ch[0], eps=eps)
        self.conv_out = nn.Conv2d(ch[0], cfg.out_channels, 3, padding=1)

    def forward(self, sample, timesteps, context, mmfs_module=None, mmfs_features=None, mmfs_mask=None):
        """sample (B, Cin, H, W); timesteps (B,); context (B, T, Dc) -> (B, Cout, H, W)."""
        # 1. time
        temb = self.time_embedding(timestep_sinusoid(timesteps.expand(sample.shape[0]), self.time_dim))
        # 2. conv_in, down path
        x = self.conv_in(sample)
        skips = [x]
        for blk in self.down_blocks:
            x, s = blk(x, temb, context)
            skips += s
        # 3. mid
        x = self.mid_block(x, temb, context)
        # 4. MMFSNet residuals (MMI monkey patch: after the mid block, before the up path)
        if mmfs_module is not None:
            x, skips = mmfs_module(x, skips, mmfs_features, mmfs_mask)
            skips = list(skips)
        # 5. up path
        for blk in self.up_blocks:
            x = blk(x, skips, temb, context)
        # 6. out
        return self.conv_out(F.silu(self.conv_norm_out(x)))


# ------------------------------------------------------------------------------------------------------ MMFSNet

class MMFSBlock(nn.Module):
    """query_norm + pos_embed on the UNet feature, feat_norm on the image features, MMFS, zero-initialised 1x1 conv."""

    def __init__(self, query_dim, feat_dim, mcfg, grid, feature_sizes, base_spatial_shape):
        super().__init__()
        self.query_norm = nn.LayerNorm(query_dim, eps=1e-6)
        self.feat_norm = nn.LayerNorm(feat_dim, eps=1e-6)
        self.mmfs = mmfs_mod.MMFS(d_model=mcfg.value_dim, d_query=query_dim, d_value=feat_dim, d_out=query_dim,
                                  n_levels=mcfg.num_levels, n_heads=mcfg.num_heads, n_points=mcfg.num_points,
                                  ratio=1.0, spatial_shapes=list(feature_sizes), base_spatial_shape=base_spatial_shape,
                                  max_num_image_per_seq=mcfg.max_images)
        self.pos_embed = nn.Parameter(ops.mmi_sincos_2d(query_dim, grid, float64=True), requires_grad=False)
        self.conv = nn.Conv2d(query_dim, query_dim, 1)
        nn.init.zeros_(self.conv.weight)
        nn.init.zeros_(self.conv.bias)

    def forward(self, sample, feats, mask, shapes):
        """sample (B, C, H, W); feats (B, N, S, Cv) levels concatenated; mask (B, N); shapes [(h, w)] per level."""
        b, c, h, w = sample.shape
        q = sample.permute(0, 2, 3, 1).reshape(b, h * w, c)                # (B, HW, C)
        q = self.query_norm(q) + ops.abs_pos(self.pos_embed, h * w)
        v = self.feat_norm(feats)
        out = self.mmfs(q, mmfs_mod.grid_reference_points(h, w), v, shapes, mask)   # (B, HW, C)
        out = out.reshape(b, h, w, c).permute(0, 3, 1, 2)                   # (B, C, H, W)
        return self.conv(out)


def skip_resolutions(cfg):
    """UNet resolution of each down skip (conv_in, resnets, downsamplers in order) and of the mid output."""
    n, s = len(cfg.block_out_channels), cfg.sample_size
    res = [s]
    for i in range(n):
        res += [s >> i] * cfg.layers_per_block
        if i < n - 1:
            res.append(s >> (i + 1))
    return res, s >> (n - 1)


def skip_channels(cfg):
    ch = list(cfg.block_out_channels)
    out = [ch[0]]
    for i, c in enumerate(ch):
        out += [c] * cfg.layers_per_block
        if i < len(ch) - 1:
            out.append(c)
    return out, ch[-1]


class MMFSNet(nn.Module):
    """One MMFSBlock per down skip (mmfs_down_blocks.{i}) and one for the mid output (mmfs_mid_block).

    base_spatial_shape of each block is the UNet resolution it runs at (64/32/16/8 for SD; the reference's
    ``[64, 32, 16, 8][idx // 3]`` is this rule for layers_per_block 2); the pos_embed grid is the latent size
    (64 for SD = the reference's ``64 // downsample_factor``).
    """

    def __init__(self, cfg, feat_dim, feature_sizes):
        super().__init__()
        mc = cfg.mmfs
        res, mid_res = skip_resolutions(cfg)
        chans, mid_ch = skip_channels(cfg)
        self.mmfs_down_blocks = nn.ModuleList(
            [MMFSBlock(c, feat_dim, mc, cfg.sample_size, feature_sizes, r) for c, r in zip(chans, res)])
        self.mmfs_mid_block = MMFSBlock(mid_ch, feat_dim, mc, cfg.sample_size, feature_sizes, mid_res)

    def forward(self, sample, skips, features, mask):
        """features: list of (B, N, Cv, h_l, w_l); mask (B, N). Returns (sample + mid residual, skips + residuals)."""
        shapes = [(f.shape[-2], f.shape[-1]) for f in features]
        feats = torch.cat([f.flatten(3).transpose(2, 3) for f in features], dim=2)  # (B, N, S, Cv)
        new_skips = [s + blk(s, feats, mask, shapes) for s, blk in zip(skips, self.mmfs_down_blocks)]
        return sample + self.mmfs_mid_block(sample, feats, mask, shapes), new_skips
