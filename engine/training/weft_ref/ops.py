"""Shared functional pieces: deformable sampling, sin-cos embeddings (MAE's, and MMI's
``utils/pos_embed.py`` with its ``get_abs_pos`` bicubic resize), attention without SDPA."""
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


def sincos_1d_f32(dim, pos):
    """MAE 1-D sin-cos as MMI's ``utils/pos_embed.py`` computes it, in float32: omega = arange(dim/2) / (dim/2),
    omega = 1 / 10000**omega, angle = pos * omega (rounded to float32), [sin | cos]. Returns (len(pos), dim) float32.

    Made reproducible: ``10000**omega`` is the correctly rounded float32 power (what glibc's powf gives) and sin/cos
    are evaluated in float64 on the float32 angle, then rounded. numpy's own float32 power is not correctly rounded
    on AVX-512 machines (SVML; 1 ulp off for ~20% of the 2560 frequencies at width 5120), which moves MMI's table
    by up to ~2e-4 near position 2047: MMI's exact values depend on the machine it ran on. The float32 rounding of
    the angle, which is deterministic, is kept (a float64 table differs from it by up to ~3e-4).
    """
    omega = np.arange(dim // 2, dtype=np.float32)
    omega /= np.float32(dim / 2.0)
    power = np.power(10000.0, omega.astype(np.float64)).astype(np.float32)
    omega = np.float32(1.0) / power
    p = np.asarray(pos, dtype=np.float32).reshape(-1)
    ang = (p[:, None] * omega[None, :]).astype(np.float32)
    a64 = ang.astype(np.float64)
    return np.concatenate([np.sin(a64), np.cos(a64)], axis=1).astype(np.float32)


def mmi_sincos_2d(dim, grid, cls_token=False, float64=False):
    """MMI utils/pos_embed.get_2d_sincos_pos_embed: (G*G [+1], dim) float32, row-major over the grid; unlike MAE
    (``sincos_2d``) the FIRST half of the channels encodes the row index, the second half the column; a zero row
    first with cls_token. Evaluated in float32 as MMI does (``sincos_1d_f32``); ``float64=True`` evaluates the 1-D
    tables in float64 (``sincos_1d``) instead, which the UNet reference uses (the committed tiny weights and MMFSNet
    fixtures hold those values, within 1.2e-7 of the float32 ones at the tiny sizes)."""
    one_d = sincos_1d if float64 else sincos_1d_f32
    dt = np.float64 if float64 else np.float32
    rows, cols = np.meshgrid(np.arange(grid, dtype=dt), np.arange(grid, dtype=dt), indexing="ij")
    emb = np.concatenate([one_d(dim // 2, rows.reshape(-1)), one_d(dim // 2, cols.reshape(-1))], 1)
    if cls_token:
        emb = np.concatenate([np.zeros([1, dim], dtype=emb.dtype), emb], 0)
    return torch.from_numpy(emb).float()


def abs_pos(table, count):
    """MMI get_abs_pos: (L, C) table (a square grid, optionally after a leading cls row) -> (count, C): the table
    itself when the grid side is sqrt(count), else the grid bicubically resized (align_corners=False), cls kept."""
    src = int(math.sqrt(table.shape[0]))
    tgt = int(math.sqrt(count))
    if src == tgt:
        return table
    has_cls = src * src != table.shape[0]
    cls, grid = (table[:1], table[1:]) if has_cls else (None, table)
    g = grid.reshape(1, src, src, -1).permute(0, 3, 1, 2)                    # (1, C, S, S)
    g = F.interpolate(g, size=(tgt, tgt), mode="bicubic", align_corners=False)
    g = g.permute(0, 2, 3, 1).reshape(tgt * tgt, -1)                         # (tgt*tgt, C)
    return torch.cat([cls, g], 0) if has_cls else g


def attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d) + mask) v, the math of SDPA (torch 1.13 has no SDPA)."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores + mask
    return scores.softmax(-1) @ v


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)
