"""Interleaved generation as the reference runs it (MMI inference.py): every round re-encodes every image and
re-runs the whole sequence. Deliberately simple; the Java engine keeps a KV cache and image features instead and
is checked against this.

Greedy decoding (argmax) and DDIM (deterministic) with injected initial latents, so Java and PyTorch can be
compared exactly. Returns everything a test needs.
"""
import torch

from .model import resize_for_encoder
from .schedulers import DDIM


def generate_image(model, ids, images, latents, steps, guidance):
    """ids (1, T) ending in <|beginofimage|>; images (I, 3, S, S) in [0, 1] of the images before it.
    Returns (image (1, 3, H, W) in [0, 1], per-step latents)."""
    cfg = model.cfg
    vis, feats = model.encode_images(images) if images.shape[0] > 0 else (None, None)
    hidden = model.llm_hidden(ids, vis, feats)
    context = model.condition(hidden, ids)
    prev = previous_image_features(ids, feats, cfg.tokens)
    sched = DDIM(cfg.scheduler)
    x = latents
    trace = []
    for t in sched.set_timesteps(steps):
        eps = model.unet_eps(x, int(t), context, prev, guidance)
        x = sched.step(eps, int(t), x, None)
        trace.append(x)
    return model.decode_latents(x), trace, context


def previous_image_features(ids, feats, tokens):
    """The multi-scale features of the image right before the last <|beginofimage|>, if it is in the same document
    (after the nearest <s>); else None."""
    row = ids[0].tolist()
    boi = [i for i, v in enumerate(row) if v == tokens.boi]
    if len(boi) < 2 or feats is None:
        return None
    last = boi[-1]
    bos = max([i for i, v in enumerate(row[:last]) if v == tokens.bos], default=-1)
    if boi[-2] <= bos:
        return None
    n = len(boi) - 2
    return [f[n:n + 1] for f in feats]


def continue_document(model, ids, images, max_new_tokens, max_images, steps, guidance, latents):
    """Text until </s> or <|beginofimage|> (greedy, at most max_new_tokens, then an image is forced), then an image;
    repeat until max_images images were generated or </s>. latents: list of initial latents, one per image.
    Returns (ids, images, generated images, the top-2 logit margins seen)."""
    cfg = model.cfg
    tok = cfg.tokens
    k = cfg.visual_resampler.num_queries
    made = []
    margins = []
    while True:
        # 1. text round
        stop = None
        for _ in range(max_new_tokens):
            vis, feats = model.encode_images(images) if images.shape[0] > 0 else (None, None)
            hidden = model.llm_hidden(ids, vis, feats)
            logits = model.text_decoder(hidden[:, -1])[0]
            logits[[tok.image, tok.bos, tok.pad]] = float("-inf")   # only the pipeline places these
            top = logits.topk(2).values
            margins.append(float(top[0] - top[1]))
            nxt = int(logits.argmax())
            if nxt in (tok.eos, tok.boi):
                stop = nxt
                break
            ids = torch.cat([ids, torch.tensor([[nxt]])], 1)
        if stop == tok.eos:
            ids = torch.cat([ids, torch.tensor([[tok.eos]])], 1)
            return ids, images, made, margins
        # 2. image round (on <|beginofimage|> or when the text budget ran out)
        ids = torch.cat([ids, torch.tensor([[tok.boi]])], 1)
        img, _, _ = generate_image(model, ids, images, latents[len(made)], steps, guidance)
        made.append(img)
        enc = resize_for_encoder(img, cfg.vision.image_size)
        images = torch.cat([images, enc], 0)
        ids = torch.cat([ids, torch.full((1, k), tok.image, dtype=torch.long)], 1)
        if len(made) >= max_images:
            return ids, images, made, margins
