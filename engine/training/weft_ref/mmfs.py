"""MMFS, the Multi-image Multi-scale Feature Synchronizer (MMI: models/utils/ops/modules/mmfs.py, class MMFS).

Deformable attention from a query to several images at once: every query gets one set of sampling offsets per
image (shared over the image's levels, scaled by each level's size relative to a base size), and one softmax over
images x levels x (points + 1), the extra slot per (image, level) being a "null" token with a fixed logit of
-log(images * levels). Images hidden by the attention mask get -10000 added to their logits.

Shapes: B batch, Lq queries, N images, L levels per image, S = sum_l H_l W_l positions per image, M heads,
P points, Dq query width, Dv input feature width, D = M * Dh inner width (d_model * ratio).

State-dict keys (relative to the block's prefix) equal the checkpoint's: sampling_offsets, attention_weights,
dynamic_offset_mask, value_proj, output_proj (Linear, with bias), query_relpos.weight, ignore_token
(a zero, non-trainable parameter of shape (1, 1, 1, D) that is still saved). scale_ratios is a non-persistent
buffer in the reference; here it is a plain attribute.

The sampling itself is the pure-tensor Deformable-DETR path (ops.ms_deform_attn_core, im2col_step irrelevant);
the reference's CUDA kernel computes the same sum. input_padding_mask is not supported (both call sites pass None).
"""
import math

import torch
from torch import nn

from . import ops


class MMFS(nn.Module):
    def __init__(self, d_model, d_query, d_value, d_out, n_levels, n_heads, n_points, ratio=1.0,
                 spatial_shapes=(16,), base_spatial_shape=16, max_num_image_per_seq=50):
        super().__init__()
        inner = int(d_model * ratio)
        assert inner % n_heads == 0 and len(spatial_shapes) == n_levels
        self.n_levels, self.n_heads, self.n_points, self.inner = n_levels, n_heads, n_points, inner
        self.max_num_image_per_seq = max_num_image_per_seq
        self.scale_ratios = [s / base_spatial_shape for s in spatial_shapes]
        self.sampling_offsets = nn.Linear(d_query, n_heads * n_points * 2)
        self.ignore_token = nn.Parameter(torch.zeros(1, 1, 1, inner), requires_grad=False)
        self.dynamic_offset_mask = nn.Linear(d_query, d_query)
        self.attention_weights = nn.Linear(d_query, n_heads * n_levels * (n_points + 1))
        self.value_proj = nn.Linear(d_value, inner)
        self.output_proj = nn.Linear(inner, d_out)
        self.query_relpos = nn.Embedding(max_num_image_per_seq, d_query)

    @staticmethod
    def relative_positions(mask):
        """mask (B, Q, N) of 0/1 -> (B, Q, N) int64: 1 for the last visible image, 2 the one before, 0 if hidden."""
        m = mask.long()
        return (m.sum(-1, keepdim=True) + 1 - m.cumsum(-1)) * m

    def forward(self, query, reference_points, features, level_shapes, mask):
        """
        query (B, Lq, Dq); reference_points (B or 1, Lq, 2) in [0, 1], x then y; features (B, N, S, Dv);
        level_shapes [(H_l, W_l)] * L for one image; mask (B, N) or (B, Q, N) with Q == Lq, or any Q when only its
        last row applies (incremental decoding, as the reference). Returns (B, Lq, d_out).
        """
        b, lq, _ = query.shape
        _, n, s, _ = features.shape
        m, p, nl = self.n_heads, self.n_points, self.n_levels
        assert sum(h * w for h, w in level_shapes) == s
        mask = mask.float()
        if mask.dim() == 2:
            mask = mask[:, None, :]                                           # (B, 1, N)
        elif mask.shape[1] != lq:
            mask = mask[:, -1:, :]                                            # (B, 1, N)
        # 1. per-image query: dynamic_offset_mask(q) (computed once, as repeating first gives the same rows)
        #    plus the embedding of the image's relative position
        relpos = self.relative_positions(mask)                                # (B, Q, N)
        assert int(relpos.max()) < self.max_num_image_per_seq
        q = self.dynamic_offset_mask(query)[:, None]                          # (B, 1, Lq, Dq)
        q = q + self.query_relpos(relpos.transpose(1, 2))                      # (B, N, Lq, Dq)
        # 2. values of every image and level
        value = self.value_proj(features).reshape(b, n * s, m, self.inner // m)  # (B, N*S, M, Dh)
        # 3. offsets: one set per image and head, scaled per level, normalised by the level's (W, H)
        off = self.sampling_offsets(q).view(b, n, lq, m, p, 2).permute(0, 2, 3, 1, 4, 5)  # (B, Lq, M, N, P, 2)
        ratios = query.new_tensor(self.scale_ratios).view(1, 1, 1, 1, nl, 1, 1)
        off = off[:, :, :, :, None] * ratios                                  # (B, Lq, M, N, L, P, 2)
        norm = query.new_tensor([[w, h] for h, w in level_shapes]).view(1, 1, 1, 1, nl, 1, 2)
        loc = reference_points[:, :, None, None, None, None, :] + off / norm  # (B, Lq, M, N, L, P, 2)
        loc = loc.reshape(b, lq, m, n * nl, p, 2)
        # 4. logits, the mask, the null slot, one softmax over images x levels x (points + 1)
        logits = self.attention_weights(q).view(b, n, lq, m, nl, p + 1).permute(0, 2, 3, 1, 4, 5)  # (B,Lq,M,N,L,P+1)
        logits = logits + ((1.0 - mask) * -10000.0)[:, :, None, :, None, None]
        logits = logits.clone()
        logits[..., -1] = -math.log(n * nl)
        w = logits.reshape(b, lq, m, n * nl * (p + 1)).softmax(-1).view(b, lq, m, n * nl, p + 1)
        # 5. sample, add the null token weighted by its total weight per head, project out
        out = ops.ms_deform_attn_core(value, list(level_shapes) * n, loc, w[..., :p].contiguous())  # (B, Lq, D)
        null = self.ignore_token.view(m, self.inner // m) * w[..., p].sum(-1)[..., None]   # (B, Lq, M, Dh)
        return self.output_proj(out + null.reshape(b, lq, self.inner))


def center_reference_points(lq):
    """The LLM's reference point: the image centre for every query, (1, Lq, 2)."""
    return torch.full((1, lq, 2), 0.5)


def grid_reference_points(h, w):
    """Pixel centres of an h x w map, row-major, x then y, normalised: (1, h*w, 2) (sd_mmfs.get_reference_points)."""
    ys, xs = torch.meshgrid(torch.linspace(0.5, h - 0.5, h), torch.linspace(0.5, w - 0.5, w), indexing="ij")
    return torch.stack([xs.reshape(-1) / w, ys.reshape(-1) / h], -1)[None]
