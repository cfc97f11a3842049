"""MM-Interleaved visual tokenizer (prefix ``visual_tokenizer``), everything but the CLIP/ViT-Adapter encoder.

Mirrors (read, not copied) MMI ``models/encoders/visual_tokenizer.py`` and ``models/utils/pos_embed.py``
(``get_abs_pos``, ``get_2d_sincos_pos_embed``).

State-dict keys: ``clip_mean`` / ``clip_std`` (1, 3, 1, 1) persistent buffers, ``pos_proj.*`` (Linear C->C),
``pos_ln.*`` (LayerNorm eps 1e-6), ``pos_embed`` (1 + G*G, C) (an nn.Parameter with requires_grad=False, so it is
in the checkpoint; MMI's 2-D sin-cos with a zero cls row), ``perceiver_resampler.*``, ``post_ln.*`` (eps 1e-6),
``proj.*`` (Linear H -> LLM width) and, when an encoder is attached, ``encoder.vision_model.*``.

Forward:
1. image = (image - clip_mean) / clip_std   (image in [0, 1]);
2. encoder -> last_hidden (B, 1 + G*G, C) and multi-scale maps c1..c4 (B, C, h, w);
3. each map += pos_embed[1:] bicubically resized (align_corners=False) to h x w, laid out (C, h, w);
4. qformer_in = post_ln(pos_ln(pos_proj(last_hidden)) + pos_embed); vis = proj(resampler(qformer_in)).
(MMI also returns ``image_embeds`` = (last_hidden + pos_embed)[:, 1:], which nothing downstream reads.)

Note on orientation: MMI's ``get_2d_sincos_pos_embed_from_grid`` (``weft_ref.ops.mmi_sincos_2d``) puts the ROW (h)
encoding in the first half of the channels and the column (w) in the second half, the opposite of MAE's original
(and of ``weft_ref.ops.sincos_2d``).
"""

import torch
import torch.nn as nn

from .ops import abs_pos, mmi_sincos_2d
from .qformer import PerceiverResampler

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


class VisualTokenizer(nn.Module):
    def __init__(self, cfg, vision_model=None):
        """cfg: the whole model config namespace; vision_model: the encoder (e.g. ``weft_ref.vision.ClipVisionAdapter``),
        whose forward(image) returns (last_hidden, [c1, c2, c3, c4]); registered as ``encoder.vision_model`` (MMI's
        ``self.encoder`` is a CLIPVisionAdapterModel holding the adapter transformer as ``vision_model``)."""
        super().__init__()
        c = cfg.vision.hidden_size
        q = cfg.visual_resampler
        g = cfg.vision.image_size // cfg.vision.patch_size
        if vision_model is not None:
            self.encoder = nn.Module()
            self.encoder.vision_model = vision_model
        self.pos_proj = nn.Linear(c, c)
        self.pos_ln = nn.LayerNorm(c, eps=1e-6)
        self.pos_embed = nn.Parameter(mmi_sincos_2d(c, g, cls_token=True), requires_grad=False)
        self.perceiver_resampler = PerceiverResampler(q)
        self.post_ln = nn.LayerNorm(c, eps=1e-6)
        self.proj = nn.Linear(q.hidden_size, cfg.llm.hidden_size)
        self.register_buffer("clip_mean", torch.tensor(CLIP_MEAN).view(1, 3, 1, 1))
        self.register_buffer("clip_std", torch.tensor(CLIP_STD).view(1, 3, 1, 1))

    def normalize(self, image):
        return (image - self.clip_mean) / self.clip_std

    def feature_pos(self, h, w):
        """(C, h, w) position table added to a multi-scale map of size h x w."""
        pe = abs_pos(self.pos_embed[1:], h * w)
        return pe.reshape(h, w, -1).permute(2, 0, 1)

    def glue(self, last_hidden, features):
        feats = [f + self.feature_pos(f.shape[2], f.shape[3]) for f in features]
        pe = abs_pos(self.pos_embed, last_hidden.shape[1])
        x = self.post_ln(self.pos_ln(self.pos_proj(last_hidden)) + pe)
        vis = self.proj(self.perceiver_resampler(x))
        return vis, feats

    def forward(self, image):
        last_hidden, features = self.encoder.vision_model(self.normalize(image))
        return self.glue(last_hidden, features)
