"""Shared functional pieces: deformable sampling, sin-cos embeddings, attention without SDPA."""
import math

import numpy as np
import torch
import torch.nn.functional as F


def ms_deform_attn_core(value, shapes, locations, weights):
    """Multi-scale deformable attention on plain tensors (Deformable-DETR's pure-PyTorch path).

    N batch, S value positions, M heads, D channels/head, Lq queries, L levels, P points.
    value (N, S, M, D); shapes [(h, w)] * L; locations (N, Lq, M, L, P, 2) in [0, 1] (x, y);
    weights (N, Lq, M, L, P). Returns (N, Lq, M*D).
    """
    n, _, m, d = value.shape
    _, lq, _, levels, p, _ = locations.shape
    splits = [h * w for h, w in shapes]
    value_list = value.split(splits, dim=1)
    grids = 2 * locations - 1
    sampled = []
    for lvl, (h, w) in enumerate(shapes):
        v = value_list[lvl].flatten(2).transpose(1, 2).reshape(n * m, d, h, w)        # (N*M, D, H, W)
        g = grids[:, :, :, lvl].transpose(1, 2).flatten(0, 1)                          # (N*M, Lq, P, 2)
        sampled.append(F.grid_sample(v, g, mode="bilinear", padding_mode="zeros", align_corners=False))
    a = weights.transpose(1, 2).reshape(n * m, 1, lq, levels * p)                      # (N*M, 1, Lq, L*P)
    out = (torch.stack(sampled, dim=-2).flatten(-2) * a).sum(-1)                        # (N*M, D, Lq)
    return out.view(n, m * d, lq).transpose(1, 2).contiguous()                          # (N, Lq, M*D)


def sincos_1d(dim, pos):
    """MAE get_1d_sincos_pos_embed_from_grid: (len(pos), dim) = [sin(p w), cos(p w)], w_i = 1/10000^(i/(dim/2))."""
    omega = np.arange(dim // 2, dtype=np.float64) / (dim / 2.0)
    omega = 1.0 / 10000 ** omega
    out = np.einsum("m,d->md", np.asarray(pos, dtype=np.float64).reshape(-1), omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


def sincos_2d(dim, gh, gw):
    """MAE get_2d_sincos_pos_embed without cls: (gh*gw, dim); first half encodes the column, second the row."""
    rows, cols = np.meshgrid(np.arange(gh, dtype=np.float64), np.arange(gw, dtype=np.float64), indexing="ij")
    emb_w = sincos_1d(dim // 2, cols.reshape(-1))
    emb_h = sincos_1d(dim // 2, rows.reshape(-1))
    return torch.from_numpy(np.concatenate([emb_w, emb_h], axis=1)).float()


def attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d) + mask) v, the math of SDPA (torch 1.13 has no SDPA)."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores + mask
    return scores.softmax(-1) @ v


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)
