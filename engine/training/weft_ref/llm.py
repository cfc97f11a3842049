"""The LLaMA LLM with MMFS blocks (mm_decoder) and the text head (text_decoder).

Mirrors MMI: models/decoders/modeling_llama_mmfs.py (LlamaModel, LlamaDecoderLayer, LlamaAttention,
LlamaMMFSAttention, FixedLlamaRotaryEmbedding), models/decoders/decoder_text.py (TextDecoder) and the mask and
feature preparation of models/mm_interleaved.py (_prepare_mm_embeds, _prepare_mmfs_features_for_mm_decoder).

Shapes: B batch, T new tokens, S cached + new tokens, D width, H heads, Dh head width, N image slots,
Sv positions per image over the MMFS levels, Dv vision width, V vocabulary.

Facts of the reference this mirrors:
- self-attention is plain causal over the whole (packed) sequence; documents are separated only in the MMFS
  cross mask (nearest <s>); position ids are global 0..L-1 (arange in training, cumsum of the padding mask in
  generation), not per document;
- RoPE is HF's rotate_half convention with cos/sin tables in fp32 over arange(positions) gathered by position id;
- the MMFS block sits after self-attention and before the MLP: h = h + tanh(gate) * MMFS(norm1(h), norm2(vision));
- in cached decoding MMFS runs on the new tokens only, with the last row of the prompt's cross mask;
- the text head is head (V, D) with bias plus head_new (2, D) with bias added to the last two ids.
State-dict keys equal the checkpoint's (notes 1.9) relative to mm_decoder / text_decoder.
"""
import torch
from torch import nn

from . import config as cfgmod
from .mmfs import MMFS, center_reference_points


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rope_cos_sin(head_dim, theta, position_ids):
    """cos, sin of shape (B, 1, T, Dh), built as FixedLlamaRotaryEmbedding (fp32 table over arange) + gather."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2).float() / head_dim))
    t = torch.arange(int(position_ids.max()) + 1, dtype=torch.float32)
    emb = torch.cat([torch.outer(t, inv_freq)] * 2, dim=-1)                  # (P, Dh)
    return emb.cos()[position_ids][:, None], emb.sin()[position_ids][:, None]


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class Attention(nn.Module):
    def __init__(self, d, heads, theta):
        super().__init__()
        self.heads, self.hd, self.theta = heads, d // heads, theta
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)

    def forward(self, x, position_ids, mask, past=None):
        b, t, d = x.shape
        q, k, v = [p(x).view(b, t, self.heads, self.hd).transpose(1, 2) for p in (self.q_proj, self.k_proj,
                                                                                  self.v_proj)]  # (B, H, T, Dh)
        cos, sin = rope_cos_sin(self.hd, self.theta, position_ids)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past is not None:
            k = torch.cat([past[0], k], dim=2)                                  # (B, H, S, Dh)
            v = torch.cat([past[1], v], dim=2)
        scores = torch.matmul(q * self.hd ** -0.5, k.transpose(2, 3))           # (B, H, T, S)
        if mask is not None:
            scores = torch.max(scores + mask, torch.tensor(torch.finfo(scores.dtype).min))
        out = torch.matmul(scores.softmax(-1), v).transpose(1, 2).reshape(b, t, d)
        return self.o_proj(out), (k, v)


class Mlp(nn.Module):
    def __init__(self, d, inter):
        super().__init__()
        self.gate_proj = nn.Linear(d, inter, bias=False)
        self.up_proj = nn.Linear(d, inter, bias=False)
        self.down_proj = nn.Linear(inter, d, bias=False)

    def forward(self, x):
        g = self.gate_proj(x)
        return self.down_proj(g * torch.sigmoid(g) * self.up_proj(x))


class CrossAttention(nn.Module):
    """LlamaMMFSAttention: tanh(gate) * MMFS(norm1(h), norm2(vision)), one reference point at the image centre."""

    def __init__(self, llm, vision_dim, spatial_shapes, base_spatial_shape):
        super().__init__()
        m = llm.mmfs
        d = llm.hidden_size
        self.spatial_shapes = spatial_shapes
        self.gate = nn.Parameter(torch.zeros(1))
        self.attn = MMFS(d, d, vision_dim, d, m.num_levels, m.num_heads, m.num_points, vision_dim / d,
                         spatial_shapes, base_spatial_shape, m.max_images)
        self.norm1 = RMSNorm(d, llm.rms_norm_eps)
        self.norm2 = RMSNorm(vision_dim, llm.rms_norm_eps)

    def forward(self, h, vision, cross_mask):
        q = self.norm1(h)
        ref = center_reference_points(q.shape[1])
        out = self.attn(q, ref, self.norm2(vision), [(s, s) for s in self.spatial_shapes], cross_mask)
        return out * self.gate.tanh()


class DecoderLayer(nn.Module):
    def __init__(self, llm, use_mmfs, vision_dim, spatial_shapes, base_spatial_shape):
        super().__init__()
        d = llm.hidden_size
        self.self_attn = Attention(d, llm.num_heads, llm.rope_theta)
        self.llama_cross_attn = (CrossAttention(llm, vision_dim, spatial_shapes, base_spatial_shape)
                                 if use_mmfs else None)
        self.mlp = Mlp(d, llm.intermediate_size)
        self.input_layernorm = RMSNorm(d, llm.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(d, llm.rms_norm_eps)

    def forward(self, h, vision, cross_mask, mask, position_ids, past=None):
        a, present = self.self_attn(self.input_layernorm(h), position_ids, mask, past)
        h = h + a
        if self.llama_cross_attn is not None and vision is not None:
            h = h + self.llama_cross_attn(h, vision, cross_mask)
        h = h + self.mlp(self.post_attention_layernorm(h))
        return h, present


def llm_spatial_shapes(cfg):
    """The LLM's MMFS levels: the last num_levels of the adapter's maps ([32, 16, 8] of [64, 32, 16, 8])."""
    return cfgmod.feature_sizes(cfg.vision)[-cfg.llm.mmfs.num_levels:]


class MmDecoder(nn.Module):
    """mm_decoder: embed_tokens, layers.{i}, norm. forward returns the final-normed hidden states and the cache."""

    def __init__(self, cfg):
        super().__init__()
        llm = cfg.llm
        shapes, base = llm_spatial_shapes(cfg), cfgmod.grid(cfg.vision)
        self.embed_tokens = nn.Embedding(llm.vocab_size, llm.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(llm, cfgmod.has_mmfs(llm, i), cfg.vision.hidden_size, shapes, base)
                                     for i in range(llm.num_layers)])
        self.norm = RMSNorm(llm.hidden_size, llm.rms_norm_eps)

    def forward(self, inputs_embeds, position_ids=None, past_key_values=None, vision=None, cross_mask=None):
        b, t, _ = inputs_embeds.shape
        past = 0 if past_key_values is None else past_key_values[0][0].shape[2]
        if position_ids is None:
            position_ids = torch.arange(past, past + t)[None].expand(b, t)
        mask = None
        if t > 1:
            mask = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)
            mask = torch.cat([torch.zeros(t, past), mask], dim=-1)[None, None]     # (1, 1, T, S)
        h = inputs_embeds
        cache = []
        for i, layer in enumerate(self.layers):
            h, present = layer(h, vision, cross_mask, mask, position_ids,
                               None if past_key_values is None else past_key_values[i])
            cache.append(present)
        return self.norm(h), cache


class TextDecoder(nn.Module):
    """text_decoder: head (V, D) + bias; head_new (V - V0, D) + bias added to the last V - V0 logits."""

    def __init__(self, hidden, vocab, orig_vocab):
        super().__init__()
        self.orig = orig_vocab
        self.head = nn.Linear(hidden, vocab, bias=True)
        self.head_new = nn.Linear(hidden, vocab - orig_vocab, bias=True)

    def forward(self, h):
        logits = self.head(h)
        logits[..., self.orig:] = logits[..., self.orig:] + self.head_new(h)
        return logits


# ---------------------------------------------------------------- inputs (mm_interleaved.py)

def mm_embeds(embed, text_ids, image_embeds, soi_token, tokens):
    """_prepare_mm_embeds steps 1 and 3: image embeddings (I, K, D) replace the <|image|> rows in row-major order,
    soi_token (1, D) is added to every <|beginofimage|> row."""
    b, l = text_ids.shape
    e = embed(text_ids).reshape(b * l, -1)
    pos = (text_ids.reshape(-1) == tokens.image).nonzero(as_tuple=True)[0]
    e = e.index_copy(0, pos, image_embeds.reshape(-1, e.shape[-1]))
    soi = (text_ids.reshape(-1) == tokens.boi).nonzero(as_tuple=True)[0]
    e = e.index_add(0, soi, soi_token.expand(len(soi), -1))
    return e.reshape(b, l, -1)


def cross_attention_mask(text_ids, tokens):
    """_prepare_mmfs_features_for_mm_decoder's mask: (B, L, N) float, image n (the n-th <|beginofimage|> of the
    row) visible at l iff its first <|image|> position p = boi + 1 satisfies nearest_bos(l) < p <= l."""
    b, l = text_ids.shape
    boi = [(row == tokens.boi).nonzero(as_tuple=True)[0] for row in text_ids]
    n = max(len(x) for x in boi)
    pos = torch.full((b, n), -1, dtype=torch.long)
    for i, x in enumerate(boi):
        pos[i, :len(x)] = x + 1
    idx = torch.arange(l)[None].expand(b, l)
    nearest_bos = idx.masked_fill(text_ids != tokens.bos, -1).cummax(dim=1).values    # (B, L)
    p = pos[:, :, None]                                                                   # (B, N, 1)
    m = (p > nearest_bos[:, None, :]) & (p <= idx[:, None, :]) & (p != -1)              # (B, N, L)
    return m.transpose(1, 2).float()


def pack_features(levels, num_image_per_seq):
    """Per-level maps (I, Dv, h, w) of all images -> (B, N, Sv, Dv), rows' images in slots 0.., zeros elsewhere."""
    b, n = len(num_image_per_seq), max(num_image_per_seq)
    flat = torch.cat([f.flatten(2).transpose(1, 2) for f in levels], dim=1)             # (I, Sv, Dv)
    out = flat.new_zeros(b, n, flat.shape[1], flat.shape[2])
    start = 0
    for i, k in enumerate(num_image_per_seq):
        out[i, :k] = flat[start:start + k]
        start += k
    return out
