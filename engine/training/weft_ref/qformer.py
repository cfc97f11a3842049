"""BLIP-2 Q-Former (transformers 4.31 ``Blip2QFormerModel``) with MM-Interleaved's QK-norm patch, and the
``PerceiverResampler`` that wraps it.

Sources mirrored (read, not copied):
- transformers 4.31 ``models/blip_2/modeling_blip_2.py`` (Blip2QFormer{MultiHeadAttention,SelfOutput,Attention,
  Intermediate,Output,Layer,Encoder,Model}), query-only path (``query_embeds`` given, no text tokens);
- MMI ``models/utils/monkey_patch/blip2_qknorm_monkey_patch.py``: ``q_norm`` / ``k_norm`` = LayerNorm(head_dim,
  eps=layer_norm_eps) applied per head, after the head split, to the query and to the key (self- and
  cross-attention alike), before the dot product; identity (no parameters) when ``qk_normalization`` is off;
- MMI ``models/decoders/perceiver.py``: ``queries`` (1, Q, H) + ``blip2qformer``.

State-dict keys equal the checkpoint's (relative to the resampler prefix):
``queries``, ``blip2qformer.layernorm.*``, ``blip2qformer.encoder.layer.{i}.attention.attention.{query,key,value}``,
``...attention.attention.{q_norm,k_norm}`` (QK-norm only), ``...attention.output.{dense,LayerNorm}``,
``...crossattention.*`` (layers with i % cross_attention_frequency == 0), ``...intermediate_query.dense``,
``...output_query.{dense,LayerNorm}``.

Note: transformers 4.31's Blip2QFormerLayer has NO text-branch ``intermediate`` / ``output`` modules (its
``feed_forward_chunk`` refers to them but they are never created; transformers issue #30846, fixed in later
versions behind ``use_qformer_text_input=False`` by default), so the checkpoint holds none and none are created here.

``cfg`` is a ``QFormerConfig`` namespace from ``weft_ref.config.load(...)`` (``visual_resampler`` or
``context_resampler``).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def encoder_additive_mask(mask, dtype=torch.float32):
    """(B, S) 1 = keep, 0 = padding -> additive (B, 1, 1, S): 0 or finfo(dtype).min (transformers 4.31
    ``ModuleUtilsMixin.invert_attention_mask``)."""
    m = mask[:, None, None, :].to(dtype)
    return (1.0 - m) * torch.finfo(dtype).min


class MultiHeadAttention(nn.Module):
    """Blip2QFormerMultiHeadAttention with the optional per-head QK LayerNorm."""

    def __init__(self, cfg, cross):
        super().__init__()
        h = cfg.hidden_size
        kv_in = cfg.encoder_hidden_size if cross else h
        self.heads = cfg.num_heads
        self.head_dim = h // cfg.num_heads
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(kv_in, h)
        self.value = nn.Linear(kv_in, h)
        if cfg.qk_normalization:
            self.q_norm = nn.LayerNorm(self.head_dim, eps=cfg.layer_norm_eps)
            self.k_norm = nn.LayerNorm(self.head_dim, eps=cfg.layer_norm_eps)
        else:
            self.q_norm = nn.Identity()
            self.k_norm = nn.Identity()

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_dim).permute(0, 2, 1, 3)     # (B, nh, T, hd)

    def forward(self, x, kv=None, mask=None):
        src = x if kv is None else kv
        k = self.k_norm(self.split(self.key(src)))
        v = self.split(self.value(src))
        q = self.q_norm(self.split(self.query(x)))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)             # (B, nh, Tq, Tk)
        if mask is not None:
            scores = scores + mask
        ctx = scores.softmax(-1) @ v                                            # (B, nh, Tq, hd)
        b = ctx.shape[0]
        return ctx.permute(0, 2, 1, 3).reshape(b, -1, self.heads * self.head_dim)


class AddNorm(nn.Module):
    """Blip2QFormerSelfOutput / Blip2QFormerOutput: LayerNorm(dense(x) + residual)."""

    def __init__(self, d_in, d_out, eps):
        super().__init__()
        self.dense = nn.Linear(d_in, d_out)
        self.LayerNorm = nn.LayerNorm(d_out, eps=eps)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, cfg, cross):
        super().__init__()
        self.attention = MultiHeadAttention(cfg, cross)
        self.output = AddNorm(cfg.hidden_size, cfg.hidden_size, cfg.layer_norm_eps)

    def forward(self, x, kv=None, mask=None):
        return self.output(self.attention(x, kv, mask), x)


class Intermediate(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.intermediate_size)

    def forward(self, x):
        return F.gelu(self.dense(x))                                            # exact (erf) GELU


class Layer(nn.Module):
    def __init__(self, cfg, idx):
        super().__init__()
        self.attention = Attention(cfg, cross=False)
        self.has_cross = idx % cfg.cross_attention_frequency == 0
        if self.has_cross:
            self.crossattention = Attention(cfg, cross=True)
        self.intermediate_query = Intermediate(cfg)
        self.output_query = AddNorm(cfg.intermediate_size, cfg.hidden_size, cfg.layer_norm_eps)

    def forward(self, x, enc, enc_mask):
        x = self.attention(x)                      # queries attend to each other (all-ones mask adds 0)
        if self.has_cross:
            x = self.crossattention(x, enc, enc_mask)
        return self.output_query(self.intermediate_query(x), x)


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([Layer(cfg, i) for i in range(cfg.num_layers)])


class Blip2QFormerModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layernorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.encoder = Encoder(cfg)

    def forward(self, query_embeds, encoder_hidden_states, encoder_attention_mask=None):
        """query_embeds (Bq, Q, H), Bq = 1 or B; encoder_hidden_states (B, S, E); mask (B, S) or None.
        Returns last_hidden_state (B, Q, H)."""
        x = self.layernorm(query_embeds)
        b, s, _ = encoder_hidden_states.shape
        if encoder_attention_mask is None:
            encoder_attention_mask = torch.ones(b, s)
        mask = encoder_additive_mask(encoder_attention_mask, x.dtype)
        for layer in self.encoder.layer:
            x = layer(x, encoder_hidden_states, mask)
        return x


class PerceiverResampler(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.blip2qformer = Blip2QFormerModel(cfg)
        self.queries = nn.Parameter(torch.randn(1, cfg.num_queries, cfg.hidden_size) * 0.02)

    def forward(self, encoder_hidden_states, encoder_attention_mask=None):
        return self.blip2qformer(self.queries, encoder_hidden_states, encoder_attention_mask)


def randomise_(module, std=0.2):
    """Fixture helper: every parameter random, LayerNorm weights near 1 (so every path is exercised)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            parts = name.split(".")
            parent = parts[-2] if len(parts) >= 2 else ""
            is_norm = leaf in ("weight", "bias") and ("norm" in parent.lower() or parent.endswith("_ln"))
            if is_norm and leaf == "weight":
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            elif is_norm:
                p.copy_(0.1 * torch.randn_like(p))
            else:
                p.normal_(0.0, std)
    return module
