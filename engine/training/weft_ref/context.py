"""Context conditioning of the image decoder: LLM hidden states -> (N_images, Q, H) UNet condition.

Mirrors (read, not copied) MMI ``models/mm_interleaved.py::_prepare_context_features_for_image_decoder`` and
``models/decoders/decoder_image.py`` (``perceiver_resampler`` call, ``neg_prompt_embeds``), plus
``custom_datasets/wds_utils.py::calc_nearest_bos_token_idxs``.

For each ``<|beginofimage|>`` (soi) token of a row: take the last hidden states (after the final RMSNorm) from the
nearest preceding ``<s>`` up to and including the soi token, reverse them (position 0 = the soi token), pad to the
longest context with zeros (mask 0), apply ``context_feat_proj`` (Linear D->D; padded rows become its bias), add a
1-D sin-cos embedding of positions 0..L_max-1 over D channels (unscaled positions, table of ``seq_len`` rows, MAE
formula evaluated in float32 as MMI does, see ``sincos_1d_f32``), then ``image_decoder.perceiver_resampler`` with
the mask.

State-dict keys (top-level names of MMInterleaved): ``context_feat_proj.{weight,bias}``, ``soi_token`` (1, D)
(kept here so the fixture and the Java class own it; it is *added* to the soi embedding on the LLM input side),
``image_decoder.perceiver_resampler.*``, ``image_decoder.neg_prompt_embeds`` (1, Q, H).
"""
import numpy as np
import torch
import torch.nn as nn

from .ops import sincos_1d_f32
from .qformer import PerceiverResampler


def nearest_bos(ids, soi_pos, bos_id):
    """The last <s> strictly before soi_pos, else 0 (calc_nearest_bos_token_idxs)."""
    best = 0
    for i in range(soi_pos):
        if int(ids[i]) == bos_id:
            best = i
    return best


class ImageDecoderPart(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        q = cfg.context_resampler
        self.perceiver_resampler = PerceiverResampler(q)
        self.neg_prompt_embeds = nn.Parameter(torch.randn(1, q.num_queries, q.hidden_size) * 0.02)


class ContextConditioning(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg.llm.hidden_size
        self.seq_len = cfg.llm.max_positions
        self.bos = cfg.tokens.bos
        self.soi = cfg.tokens.boi
        self.context_feat_proj = nn.Linear(d, d)
        self.soi_token = nn.Parameter(torch.zeros(1, d))
        self.image_decoder = ImageDecoderPart(cfg)

    def locate(self, text_ids, nearest_bos_idxs=None):
        """[(row, start, soi_pos)] for every soi token, row-major order."""
        out = []
        rows, cols = (text_ids == self.soi).nonzero(as_tuple=True)
        for n, (r, c) in enumerate(zip(rows.tolist(), cols.tolist())):
            start = nearest_bos(text_ids[r], c, self.bos) if nearest_bos_idxs is None else int(nearest_bos_idxs[n])
            out.append((r, start, c))
        return out

    def positions(self, length, d):
        """(length, d): the first rows of the 1-D sin-cos table over ``seq_len`` positions (float32, MMI's)."""
        return torch.from_numpy(sincos_1d_f32(d, np.arange(self.seq_len, dtype=np.float32)))[:length]

    def prepare(self, hidden, text_ids, nearest_bos_idxs=None):
        """hidden (B, T, D), text_ids (B, T) -> features (N, L_max, D), mask (N, L_max) int64."""
        spans = self.locate(text_ids, nearest_bos_idxs)
        d = hidden.shape[-1]
        lengths = [c - s + 1 for _, s, c in spans]
        l_max = max(lengths)
        feats = torch.zeros(len(spans), l_max, d, dtype=hidden.dtype)
        mask = torch.zeros(len(spans), l_max, dtype=torch.int64)
        for i, (r, s, c) in enumerate(spans):
            feats[i, : lengths[i]] = hidden[r, s: c + 1].flip(0)
            mask[i, : lengths[i]] = 1
        feats = self.context_feat_proj(feats) + self.positions(l_max, d).to(hidden.dtype)[None]
        return feats, mask

    def forward(self, hidden, text_ids, nearest_bos_idxs=None):
        feats, mask = self.prepare(hidden, text_ids, nearest_bos_idxs)
        return self.image_decoder.perceiver_resampler(feats, mask)
