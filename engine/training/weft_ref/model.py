"""The whole MM-Interleaved model with the released checkpoint's parameter names (notes 1.9).

Root keys: visual_tokenizer.*, mm_decoder.*, text_decoder.*, context_feat_proj.*, soi_token,
image_decoder.{perceiver_resampler, neg_prompt_embeds, decoder.{unet, vae, mmfs_module}}.*
"""
import torch
from torch import nn
import torch.nn.functional as F

from . import config as cfgmod
from .context import ContextConditioning
from .llm import MmDecoder, TextDecoder, cross_attention_mask, llm_spatial_shapes, mm_embeds, pack_features
from .unet import MMFSNet, UNet2DConditionModel
from .vae import AutoencoderKL
from .vision import ClipVisionAdapter
from .visual_tokenizer import VisualTokenizer


class MMInterleaved(ContextConditioning):
    """Root module. ContextConditioning supplies context_feat_proj, soi_token and image_decoder.{perceiver_resampler,
    neg_prompt_embeds}; this adds the tokenizer, the LLM, the text head and the diffusion decoder."""

    def __init__(self, cfg):
        super().__init__(cfg)
        self.cfg = cfg
        v = cfg.llm.vocab_size
        self.visual_tokenizer = VisualTokenizer(cfg, vision_model=ClipVisionAdapter(cfg.vision))
        self.mm_decoder = MmDecoder(cfg)
        self.text_decoder = TextDecoder(cfg.llm.hidden_size, v, v - 2)
        dec = nn.Module()
        dec.unet = UNet2DConditionModel(cfg.unet)
        dec.vae = AutoencoderKL(cfg.vae)
        dec.mmfs_module = MMFSNet(cfg.unet, cfg.vision.hidden_size, cfgmod.feature_sizes(cfg.vision))
        self.image_decoder.decoder = dec

    # ------------------------------------------------------------------ pieces used by the pipeline

    def encode_images(self, images01):
        """images (I, 3, S, S) in [0, 1] at the encoder size -> (vis (I, K, D), [c1..c4] each (I, Cv, h, w))."""
        return self.visual_tokenizer(images01)

    def llm_hidden(self, ids, vis, feats):
        """Whole-sequence forward (no cache). ids (1, T); vis (I, K, D) for the images whose tokens are in ids;
        feats their multi-scale maps (None when there are none). Returns final-normed hidden states (1, T, D).

        MMFS always runs over at least one image slot: with no image yet, one zero slot that every token has masked.
        That is what the reference's inference does (it always holds at least a placeholder image), and it is not
        the same as skipping MMFS: the null slot still adds tanh(gate) * output_proj(ignore_token). Slots past the
        existing images are masked for every token fed so far; the null-slot logit -log(N * levels) makes the
        result independent of how many masked slots there are, which is what lets the Java engine cache.
        """
        tokens = self.cfg.tokens
        n_exist = 0 if feats is None else feats[0].shape[0]
        n = max(1, n_exist)
        sides = llm_spatial_shapes(self.cfg)
        if n_exist:
            vision = pack_features([f for f in feats if f.shape[-1] in sides], [n_exist])
        else:
            sv = sum(s * s for s in sides)
            vision = torch.zeros(1, 1, sv, self.cfg.vision.hidden_size)
        t = ids.shape[1]
        mask = torch.zeros(1, t, n)
        if bool((ids == tokens.boi).any()):
            full = cross_attention_mask(ids, tokens)
            c = min(n, full.shape[2])
            mask[:, :, :c] = full[:, :, :c]
        embeds = mm_embeds(self.mm_decoder.embed_tokens, ids,
                           vis if vis is not None else torch.zeros(0, 1, self.cfg.llm.hidden_size),
                           self.soi_token, tokens)
        hidden, _ = self.mm_decoder(embeds, vision=vision, cross_mask=mask)
        return hidden

    def condition(self, hidden, ids):
        """Context for the last <|beginofimage|> of ids: (1, Q, H) (mm_interleaved.py
        _prepare_context_features_for_image_decoder + the context resampler)."""
        spans = self.locate(ids)
        r, s, c = spans[-1]
        d = hidden.shape[-1]
        feats = hidden[r, s:c + 1].flip(0)[None]                                  # (1, L, D)
        feats = self.context_feat_proj(feats) + self.positions(feats.shape[1], d)[None]
        mask = torch.ones(1, feats.shape[1], dtype=torch.int64)
        return self.image_decoder.perceiver_resampler(feats, mask)

    def unet_eps(self, x, t, context, prev_feats, guidance):
        """Classifier-free guidance with the learned negative embedding; MMFS features in both branches.
        x (1, 4, h, w); context (1, Q, H); prev_feats: [c1..c4] each (1, Cv, h, w) of the previous image, or None."""
        dec = self.image_decoder.decoder
        neg = self.image_decoder.neg_prompt_embeds
        ctx = torch.cat([context, neg], 0)                                        # (2, Q, H) cond, uncond
        if prev_feats is None:
            sizes = cfgmod.feature_sizes(self.cfg.vision)
            cv = self.cfg.vision.hidden_size
            feats = [torch.zeros(2, 1, cv, s, s) for s in sizes]
            mask = torch.zeros(2, 1)
        else:
            feats = [f[:, None].expand(2, 1, -1, -1, -1) for f in prev_feats]
            mask = torch.ones(2, 1)
        eps = dec.unet(torch.cat([x, x], 0), torch.tensor([float(t)]), ctx, dec.mmfs_module, feats, mask)
        eps_c, eps_u = eps[:1], eps[1:]
        return eps_u + guidance * (eps_c - eps_u)

    def decode_latents(self, x):
        """(1, 4, h, w) latents -> (1, 3, H, W) in [0, 1]."""
        dec = self.image_decoder.decoder
        img = dec.vae.decode(x / self.cfg.vae.scaling_factor)
        return (img / 2 + 0.5).clamp(0, 1)


def resize_for_encoder(img01, size):
    """Generated image -> encoder input, as the reference's transform: halve with a box filter while the side is at
    least twice the target, then bicubic (no antialias) to the target."""
    x = img01
    while x.shape[-1] >= 2 * size:
        x = F.avg_pool2d(x, 2)
    if x.shape[-1] != size:
        x = F.interpolate(x, size=(size, size), mode="bicubic", align_corners=False)
    return x
