"""CLIP vision transformer wrapped in a ViT-Adapter: the visual encoder of MM-Interleaved.

Mirrors MMI: mm_interleaved/models/encoders/vit_adapter/vit_adapter_hf.py (CLIPVisionTransformerAdapter),
adapter_modules.py (SpatialPriorModule, InteractionBlockWithCls, Injector, Extractor, ConvFFN, DWConv,
deform_inputs) and ops/modules/ms_deform_attn.py (MSDeformAttn), with the transformers 4.31 CLIP vision
layer names. Inference only: no dropout, drop_path 0, no checkpointing, no xformers (plain attention math).

state_dict() keys equal the checkpoint's names below ``visual_tokenizer.encoder.vision_model``.

Dimensions: B batch, C width, G patch grid (image_size / patch_size), T = 1 + G*G tokens, M heads,
L levels, P points. The spatial-prior CNN sees the image resized to S2 = G*16; its maps have sides
4G (c1), 2G (c2), G (c3), G/2 (c4).

Differences from the reference, all documented:
- The reference hard-codes 4 interaction blocks over 24 layers and unpacks their outputs as x1..x4, one per
  scale. Here the number of blocks comes from the config; scale k (0..3) takes the output of block
  ceil((k+1)*n/4)-1 (the block ending at or after the k-th quarter of the depth), which is exactly
  [0, 1, 2, 3] for the published n=4.
- post_layernorm is nn.Identity in the reference (the pooled output is unused), so it has no parameters and no
  checkpoint keys; it is absent here too.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import config as wcfg
from .ops import attention, ms_deform_attn_core, quick_gelu


# ----------------------------------------------------------------------------------------------- CLIP ViT
class ClipEmbeddings(nn.Module):
    """class token + non-overlapping patch conv (no bias) + learned positions. Returns (B, T, C), G."""

    def __init__(self, cfg):
        super().__init__()
        c = cfg.hidden_size
        g = wcfg.grid(cfg)
        self.class_embedding = nn.Parameter(torch.randn(c))
        self.patch_embedding = nn.Conv2d(3, c, cfg.patch_size, cfg.patch_size, bias=False)
        self.position_embedding = nn.Embedding(g * g + 1, c)

    def forward(self, pixels):
        b = pixels.shape[0]
        p = self.patch_embedding(pixels)                                   # (B, C, G, G)
        g = p.shape[2]
        p = p.flatten(2).transpose(1, 2)                                   # (B, G*G, C)
        cls = self.class_embedding.expand(b, 1, -1)                        # (B, 1, C)
        return torch.cat([cls, p], 1) + self.position_embedding.weight[None], g


class ClipAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg.hidden_size
        self.heads = cfg.num_heads
        self.q_proj = nn.Linear(c, c)
        self.k_proj = nn.Linear(c, c)
        self.v_proj = nn.Linear(c, c)
        self.out_proj = nn.Linear(c, c)

    def forward(self, x):
        b, t, c = x.shape
        m = self.heads

        def heads(y):
            return y.view(b, t, m, c // m).transpose(1, 2)                 # (B, M, T, D)

        o = attention(heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x)))
        return self.out_proj(o.transpose(1, 2).reshape(b, t, c))


class ClipMlp(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.fc1 = nn.Linear(cfg.hidden_size, cfg.intermediate_size)
        self.fc2 = nn.Linear(cfg.intermediate_size, cfg.hidden_size)

    def forward(self, x):
        return self.fc2(quick_gelu(self.fc1(x)))


class ClipEncoderLayer(nn.Module):
    """transformers CLIPEncoderLayer: pre-norm attention and MLP, both residual."""

    def __init__(self, cfg):
        super().__init__()
        self.self_attn = ClipAttention(cfg)
        self.layer_norm1 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.mlp = ClipMlp(cfg)
        self.layer_norm2 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class ClipEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layers = nn.ModuleList([ClipEncoderLayer(cfg) for _ in range(cfg.num_layers)])


# ------------------------------------------------------------------------------------------------ adapter
def reference_points(shapes):
    """Pixel centres of each (h, w) grid, normalised to [0, 1], (x, y), levels concatenated: (1, sum hw, 1, 2)."""
    refs = []
    for h, w in shapes:
        y, x = torch.meshgrid(torch.linspace(0.5, h - 0.5, h), torch.linspace(0.5, w - 0.5, w), indexing="ij")
        refs.append(torch.stack((x.reshape(-1) / w, y.reshape(-1) / h), -1)[None])
    return torch.cat(refs, 1)[:, :, None]


def deform_inputs(g):
    """Injector: queries on the G x G patch grid read c2..c4; extractor: queries on c2..c4 read the G x G grid."""
    levels = [(2 * g, 2 * g), (g, g), (g // 2, g // 2)]
    inj = (reference_points([(g, g)]), levels)
    ext = (reference_points(levels), [(g, g)])
    return inj, ext


class MSDeformAttn(nn.Module):
    """Deformable-DETR multi-scale deformable attention with value channels d_model * ratio."""

    def __init__(self, d_model, n_levels, n_heads, n_points, ratio):
        super().__init__()
        self.m, self.l, self.p = n_heads, n_levels, n_points
        self.dv = int(d_model * ratio)
        self.sampling_offsets = nn.Linear(d_model, n_heads * n_levels * n_points * 2)
        self.attention_weights = nn.Linear(d_model, n_heads * n_levels * n_points)
        self.value_proj = nn.Linear(d_model, self.dv)
        self.output_proj = nn.Linear(self.dv, d_model)

    def forward(self, query, ref, feat, shapes):
        n, lq, _ = query.shape
        s = feat.shape[1]
        m, lv, p = self.m, self.l, self.p
        value = self.value_proj(feat).view(n, s, m, self.dv // m)                          # (N, S, M, D)
        off = self.sampling_offsets(query).view(n, lq, m, lv, p, 2)                        # (N, Lq, M, L, P, 2)
        a = self.attention_weights(query).view(n, lq, m, lv * p).softmax(-1).view(n, lq, m, lv, p)
        norm = torch.tensor([[w, h] for h, w in shapes], dtype=query.dtype)                # (L, 2) = (w, h)
        loc = ref[:, :, None, :, None, :] + off / norm[None, None, None, :, None, :]       # (N, Lq, M, L, P, 2)
        return self.output_proj(ms_deform_attn_core(value, shapes, loc, a))


class DWConv(nn.Module):
    """3x3 depthwise conv applied to each of the three token maps (2G, G, G/2) of the concatenated c2..c4."""

    def __init__(self, dim):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 3, 1, 1, groups=dim)

    def forward(self, x, g):
        b, _, c = x.shape
        outs = []
        start = 0
        for side in (2 * g, g, g // 2):
            part = x[:, start:start + side * side].transpose(1, 2).reshape(b, c, side, side)
            outs.append(self.dwconv(part).flatten(2).transpose(1, 2))
            start += side * side
        return torch.cat(outs, 1)


class ConvFFN(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.dwconv = DWConv(hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x, g):
        return self.fc2(F.gelu(self.dwconv(self.fc1(x), g)))


class Injector(nn.Module):
    """x += gamma * MSDeformAttn(norm(x) -> norm(c)): spatial priors into the ViT tokens."""

    def __init__(self, cfg):
        super().__init__()
        c = cfg.hidden_size
        # the reference passes norm_layer=nn.LayerNorm (eps 1e-5), not the 1e-6 partial in the signatures
        self.query_norm = nn.LayerNorm(c)
        self.feat_norm = nn.LayerNorm(c)
        self.attn = MSDeformAttn(c, 3, cfg.num_heads, cfg.adapter_points, cfg.deform_ratio)
        self.gamma = nn.Parameter(torch.zeros(c))                           # init_values = 0

    def forward(self, x, ref, c, shapes):
        return x + self.gamma * self.attn(self.query_norm(x), ref, self.feat_norm(c), shapes)


class Extractor(nn.Module):
    """c += MSDeformAttn(norm(c) -> norm(x)); c += ConvFFN(norm(c)): ViT features back into the pyramid."""

    def __init__(self, cfg):
        super().__init__()
        c = cfg.hidden_size
        self.query_norm = nn.LayerNorm(c)
        self.feat_norm = nn.LayerNorm(c)
        self.attn = MSDeformAttn(c, 1, cfg.num_heads, cfg.adapter_points, cfg.deform_ratio)
        self.ffn = ConvFFN(c, int(c * cfg.cffn_ratio))
        self.ffn_norm = nn.LayerNorm(c)

    def forward(self, c, ref, x, shapes, g):
        c = c + self.attn(self.query_norm(c), ref, self.feat_norm(x), shapes)
        return c + self.ffn(self.ffn_norm(c), g)


class InteractionBlockWithCls(nn.Module):
    def __init__(self, cfg, extra):
        super().__init__()
        self.injector = Injector(cfg)
        self.extractor = Extractor(cfg)
        self.extra_extractors = nn.Sequential(Extractor(cfg), Extractor(cfg)) if extra else None

    def forward(self, x, c, cls, layers, inj, ext, g):
        x = self.injector(x, inj[0], c, inj[1])
        h = torch.cat((cls, x), 1)                                          # (B, T, C)
        for layer in layers:
            h = layer(h)
        cls, x = h[:, :1], h[:, 1:]
        c = self.extractor(c, ext[0], x, ext[1], g)
        if self.extra_extractors is not None:
            for e in self.extra_extractors:
                c = e(c, ext[0], x, ext[1], g)
        return x, c, cls


class ChannelsFirstLayerNorm(nn.Module):
    """LayerNorm over dim 1 of (B, C, H, W), eps 1e-6 (adapter_modules.LayerNorm, channels_first)."""

    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        return self.weight[:, None, None] * ((x - u) / torch.sqrt(s + 1e-6)) + self.bias[:, None, None]


def _conv_ln_relu(cin, cout, stride):
    return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), ChannelsFirstLayerNorm(cout), nn.ReLU()]


class SpatialPriorModule(nn.Module):
    """ResNet-like stem; returns c1 (B, C, S2/4, S2/4) and c2..c4 as tokens (B, hw, C) at strides 8, 16, 32."""

    def __init__(self, cfg):
        super().__init__()
        i, c = cfg.conv_inplane, cfg.hidden_size
        self.stem = nn.Sequential(*_conv_ln_relu(3, i, 2), *_conv_ln_relu(i, i, 1), *_conv_ln_relu(i, i, 1),
                                  nn.MaxPool2d(3, 2, 1))
        self.conv2 = nn.Sequential(*_conv_ln_relu(i, 2 * i, 2))
        self.conv3 = nn.Sequential(*_conv_ln_relu(2 * i, 4 * i, 2))
        self.conv4 = nn.Sequential(*_conv_ln_relu(4 * i, 4 * i, 2))
        self.fc1 = nn.Conv2d(i, c, 1)
        self.fc2 = nn.Conv2d(2 * i, c, 1)
        self.fc3 = nn.Conv2d(4 * i, c, 1)
        self.fc4 = nn.Conv2d(4 * i, c, 1)

    def forward(self, x):
        s1 = self.stem(x)
        s2 = self.conv2(s1)
        s3 = self.conv3(s2)
        s4 = self.conv4(s3)
        return (self.fc1(s1), self.fc2(s2).flatten(2).transpose(1, 2),
                self.fc3(s3).flatten(2).transpose(1, 2), self.fc4(s4).flatten(2).transpose(1, 2))


def scale_sources(n):
    """Which interaction block's ViT output is added to each of the 4 scales ([0, 1, 2, 3] for n = 4)."""
    return [math.ceil((k + 1) * n / 4) - 1 for k in range(4)]


class ClipVisionAdapter(nn.Module):
    """CLIPVisionTransformerAdapter. forward(pixels (B, 3, S, S), CLIP-normalised) ->
    (last_hidden (B, T, C), [c1 (B, C, 4G, 4G), c2 (2G), c3 (G), c4 (G/2)])."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        c = cfg.hidden_size
        self.embeddings = ClipEmbeddings(cfg)
        self.pre_layrnorm = nn.LayerNorm(c, eps=cfg.layer_norm_eps)
        self.encoder = ClipEncoder(cfg)
        self.adapter_level_embed = nn.Parameter(torch.zeros(3, c))
        self.adapter_spm = SpatialPriorModule(cfg)
        idx = wcfg.interaction_indexes(cfg)
        self.adapter_interactions = nn.Sequential(
            *[InteractionBlockWithCls(cfg, extra=(i == len(idx) - 1)) for i in range(len(idx))])
        self.adapter_up = nn.ConvTranspose2d(c, c, 2, 2)
        self.trace = {}

    def embed(self, pixels):
        h, g = self.embeddings(pixels)
        return self.pre_layrnorm(h), g

    def vit_hidden_states(self, pixels):
        """Plain CLIP (no adapter): [after pre_layrnorm, after layer 0, ..., after the last layer]."""
        h, _ = self.embed(pixels)
        out = [h]
        for layer in self.encoder.layers:
            h = layer(h)
            out.append(h)
        return out

    def forward(self, pixels):
        cfg = self.cfg
        # 1. CLIP embeddings (B, T, C) and the spatial-prior image, resized to G*16 from the normalised pixels
        h, g = self.embed(pixels)
        b, _, c = h.shape
        side = g * 16
        resized = F.interpolate(pixels, size=(side, side), mode="bilinear", align_corners=False)
        inj, ext = deform_inputs(g)
        # 2. spatial priors, level embeddings on c2..c4, concatenated as one token sequence
        c1, c2, c3, c4 = self.adapter_spm(resized)
        self.trace["spm"] = (c1, c2, c3, c4)
        lvl = self.adapter_level_embed
        cat = torch.cat([c2 + lvl[0], c3 + lvl[1], c4 + lvl[2]], 1)         # (B, 21/4 G^2, C)
        # 3. interactions: inject, run the block's ViT layers, extract
        x, cls = h[:, 1:], h[:, :1]
        outs = []
        for block, (a, z) in zip(self.adapter_interactions, wcfg.interaction_indexes(cfg)):
            x, cat, cls = block(x, cat, cls, self.encoder.layers[a:z + 1], inj, ext, g)
            outs.append(x.transpose(1, 2).reshape(b, c, g, g))
        self.trace["outs"] = outs
        # 4. split the pyramid back into maps; c1 gets the up-sampled c2
        n2, n3 = 4 * g * g, g * g
        c2 = cat[:, :n2].transpose(1, 2).reshape(b, c, 2 * g, 2 * g)
        c3 = cat[:, n2:n2 + n3].transpose(1, 2).reshape(b, c, g, g)
        c4 = cat[:, n2 + n3:].transpose(1, 2).reshape(b, c, g // 2, g // 2)
        c1 = self.adapter_up(c2) + c1
        # 5. add the ViT outputs, resized to each scale
        src = [outs[i] for i in scale_sources(len(outs))]
        feats = [c1 + F.interpolate(src[0], scale_factor=4, mode="bilinear", align_corners=False),
                 c2 + F.interpolate(src[1], scale_factor=2, mode="bilinear", align_corners=False),
                 c3 + src[2],
                 c4 + F.interpolate(src[3], scale_factor=0.5, mode="bilinear", align_corners=False)]
        last_hidden = torch.cat([cls, outs[-1].flatten(2).transpose(1, 2)], 1)
        return last_hidden, feats
