"""The training forward of the whole model on batches of documents (docs.collate), and batched sampling.

Built on weft_ref's modules (the names the engine loads); what inference-style code lacks is added here:
several documents and images per batch, the loss masks, the context of every image at once, and the losses of
MMI's ``MMInterleaved.forward`` (notes 1.8):

    loss = 1.0 * CE(text, next token, masked) + 10.0 * MSE(eps_pred, eps)

with the diffusion loss at a uniform timestep in [0, 1000) for every picture that has context, the context replaced
by the learned ``neg_prompt_embeds`` with probability 0.1 (classifier-free guidance), and MMFSNet reading the
previous image of the row (never dropped: the reference keeps it in both guidance branches).

Shapes: B rows, T tokens, N image slots per row, I images of the batch, J diffusion targets, K visual tokens,
D LLM width, Q context queries, H context width, C latent channels, S latent side.
"""
import numpy as np
import torch
import torch.nn.functional as F

from weft_ref import config as cfgmod
from weft_ref.llm import llm_spatial_shapes, mm_embeds
from weft_ref.ops import sincos_1d_f32
from weft_ref.schedulers import DDIM, alphas_cumprod

TEXT_WEIGHT, IMAGE_WEIGHT = 1.0, 10.0


class Batch:
    """docs.collate's arrays as tensors on a device, plus the pixels of its images."""

    def __init__(self, arrays, world, device):
        self.np = arrays
        for k, v in arrays.items():
            setattr(self, k, torch.from_numpy(v).to(device))
        self.pixels = world.encoder_pixels(self.img_kind, self.img_index)       # (I, 3, S, S) in [0, 1]


def position_table(cfg, device):
    """The context's 1-D sin-cos table (max_positions, D), as ContextConditioning.positions, on the device."""
    d = cfg.llm.hidden_size
    return torch.from_numpy(sincos_1d_f32(d, np.arange(cfg.llm.max_positions, dtype=np.float32))).to(device)


def llm_forward(model, b):
    """Visual tokens + LLM over the batch: returns hidden (B, T, D) and the multi-scale features of every image."""
    cfg = model.cfg
    pix = b.pixels
    n_img = pix.shape[0]
    if pix.is_cuda and n_img % 32:                                              # few distinct shapes: pad to 32k
        pix = torch.cat([pix, pix.new_zeros((32 - n_img % 32,) + tuple(pix.shape[1:]))], 0)
    vis, feats = model.visual_tokenizer(pix)                                   # (I, K, D), [c1..c4] (I, Cv, h, w)
    vis, feats = vis[:n_img], [f[:n_img] for f in feats]
    embeds = mm_embeds(model.mm_decoder.embed_tokens, b.ids, vis.float(), model.soi_token, cfg.tokens)  # (B, T, D)
    sides = llm_spatial_shapes(cfg)
    flat = torch.cat([f.flatten(2).transpose(1, 2) for f in feats if f.shape[-1] in sides], 1)  # (I, Sv, Dv)
    valid = (b.slot >= 0)
    vision = flat[b.slot.clamp(min=0)] * valid[:, :, None, None].to(flat.dtype)  # (B, N, Sv, Dv)
    hidden, _ = model.mm_decoder(embeds, vision=vision, cross_mask=b.cross)
    return hidden, feats


def text_loss(model, hidden, b):
    logits = model.text_decoder(hidden[:, :-1]).float()                       # (B, T-1, V)
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), b.ids[:, 1:].reshape(-1), reduction="none")
    m = b.loss_mask.reshape(-1)
    return (ce * m).sum() / m.sum().clamp(min=1.0)


def context(model, hidden, rows, bois, table):
    """The UNet condition of the images whose <|beginofimage|> is at (rows, bois): hidden states from <s> (position
    0 of the row) to the <|beginofimage|>, reversed, context_feat_proj + positions, the context resampler.
    Returns (J, Q, H). Vectorised form of ContextConditioning.prepare + forward."""
    lengths = bois + 1                                                          # (J,)
    l_max = int(lengths.max())
    j = torch.arange(l_max, device=hidden.device)
    valid = j[None] < lengths[:, None]                                          # (J, L)
    pos = (bois[:, None] - j[None]).clamp(min=0)                                # (J, L) reversed positions
    feats = hidden[rows[:, None], pos] * valid[..., None].to(hidden.dtype)      # (J, L, D)
    feats = model.context_feat_proj(feats) + table[:l_max].to(feats.dtype)[None]
    return model.image_decoder.perceiver_resampler(feats, valid.long())


def previous_features(feats, prev):
    """MMFSNet input: per level (J, 1, Cv, h, w) of each target's previous image (zeros where none), mask (J, 1)."""
    ok = (prev >= 0)
    sel = [(f[prev.clamp(min=0)] * ok[:, None, None, None].to(f.dtype))[:, None] for f in feats]
    return sel, ok.float()[:, None]


def diffusion_loss(model, hidden, feats, b, latents, abar, table, p_uncond, per_task=False):
    """latents (J, C, S, S) already scaled; returns the eps-MSE (and per-task sums when asked)."""
    dec = model.image_decoder.decoder
    ctx = context(model, hidden, b.tg_row, b.tg_boi, table)                    # (J, Q, H)
    jn = ctx.shape[0]
    drop = torch.rand(jn, device=ctx.device) < p_uncond
    ctx = torch.where(drop[:, None, None], model.image_decoder.neg_prompt_embeds.to(ctx.dtype).expand_as(ctx), ctx)
    t = torch.randint(0, abar.shape[0], (jn,), device=ctx.device)
    noise = torch.randn_like(latents)
    a = abar[t][:, None, None, None]
    x = a.sqrt() * latents + (1 - a).sqrt() * noise
    prev, mask = previous_features(feats, b.tg_prev)
    pred = dec.unet(x, t.float(), ctx, dec.mmfs_module, prev, mask)
    err = (pred.float() - noise).pow(2).mean(dim=(1, 2, 3))                   # (J,)
    if not per_task:
        return err.mean(), None
    sums = torch.zeros(8, device=err.device).index_add_(0, b.tg_task, err.detach())
    counts = torch.zeros(8, device=err.device).index_add_(0, b.tg_task, torch.ones_like(err))
    return err.mean(), (sums, counts)


def joint_loss(model, b, latents, abar, table, p_uncond=0.1, per_task=False):
    hidden, feats = llm_forward(model, b)
    ce = text_loss(model, hidden, b)
    if b.tg_row.numel() == 0:
        mse, pt = hidden.sum() * 0.0, None
    else:
        mse, pt = diffusion_loss(model, hidden, feats, b, latents, abar, table, p_uncond, per_task)
    return TEXT_WEIGHT * ce + IMAGE_WEIGHT * mse, ce, mse, pt


def vae_loss(vae, x, kl_weight=1e-6, edge_weight=0.5):
    """x (B, 3, S, S) in [-1, 1]. L1 + MSE + an edge term (finite differences, keeps hatching and outlines) + KL."""
    mean, logvar = vae.encode(x)
    z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
    rec = vae.decode(z).float()
    l1 = (rec - x).abs().mean()
    l2 = (rec - x).pow(2).mean()
    dx = lambda y: y[..., :, 1:] - y[..., :, :-1]  # noqa: E731
    dy = lambda y: y[..., 1:, :] - y[..., :-1, :]  # noqa: E731
    edge = (dx(rec) - dx(x)).abs().mean() + (dy(rec) - dy(x)).abs().mean()
    kl = 0.5 * (mean.float().pow(2) + logvar.float().exp() - 1 - logvar.float()).mean()
    return l1 + l2 + edge_weight * edge + kl_weight * kl, dict(l1=l1, l2=l2, edge=edge, kl=kl)


def abar_table(cfg, device):
    return alphas_cumprod(cfg.scheduler).to(device)


@torch.no_grad()
def sample_images(model, b, steps, guidance, scale, generator=None):
    """Generates the image of every diffusion target of b (its <|beginofimage|> and what comes before; what comes
    after is ignored by causality), with DDIM and classifier-free guidance (the learned negative embedding, MMFSNet
    features in both branches), as weft_ref.pipeline.generate_image does for one. Returns (J, 3, S, S) in [0, 1]."""
    cfg = model.cfg
    dec = model.image_decoder.decoder
    hidden, feats = llm_forward(model, b)
    table = position_table(cfg, hidden.device)
    ctx = context(model, hidden, b.tg_row, b.tg_boi, table)
    jn = ctx.shape[0]
    neg = model.image_decoder.neg_prompt_embeds.expand_as(ctx)
    prev, mask = previous_features(feats, b.tg_prev)
    prev2 = [torch.cat([p, p], 0) for p in prev]
    mask2 = torch.cat([mask, mask], 0)
    ctx2 = torch.cat([ctx, neg], 0)
    s = cfg.unet.sample_size
    x = torch.randn((jn, cfg.unet.in_channels, s, s), generator=generator, device="cpu").to(hidden.device)
    sched = DDIM(cfg.scheduler)
    sched.abar = sched.abar.to(hidden.device)
    for t in sched.set_timesteps(steps):
        tt = torch.full((2 * jn,), float(t), device=x.device)
        eps = dec.unet(torch.cat([x, x], 0), tt, ctx2, dec.mmfs_module, prev2, mask2).float()
        e_c, e_u = eps[:jn], eps[jn:]
        x = sched.step(e_u + guidance * (e_c - e_u), int(t), x, None)
    img = dec.vae.decode(x / scale).float()
    return (img / 2 + 0.5).clamp(0, 1)


@torch.no_grad()
def greedy_text(model, ids_rows, pixels_rows, max_new=40):
    """Greedy continuation of each prompt (list of id lists, the images of each in order as (n, 3, S, S) tensors),
    re-running the whole sequence each token like weft_ref.pipeline. Stops at </s> or <|beginofimage|>."""
    cfg = model.cfg
    tok = cfg.tokens
    out = []
    for ids, pix in zip(ids_rows, pixels_rows):
        ids = list(ids)
        new = []
        for _ in range(max_new):
            x = torch.tensor([ids], device=pix.device)
            vis, feats = model.encode_images(pix)
            hidden = model.llm_hidden(x, vis, feats) if pix.device.type == "cpu" else _hidden_dev(model, x, pix)
            logits = model.text_decoder(hidden[:, -1])[0].float()
            logits[[tok.image, tok.bos, tok.pad]] = float("-inf")
            nxt = int(logits.argmax())
            if nxt in (tok.eos, tok.boi):
                break
            ids.append(nxt)
            new.append(nxt)
        out.append(new)
    return out


def _hidden_dev(model, x, pix):
    """llm_hidden for a device other than the CPU (the reference builds its masks on the default device)."""
    from types import SimpleNamespace
    tok = model.cfg.tokens
    boi = (x[0] == tok.boi).nonzero().flatten()
    t = x.shape[1]
    n = max(1, int(boi.numel()))
    cross = torch.zeros(1, t, n, device=x.device)
    for s, p in enumerate(boi.tolist()):
        cross[0, p + 1:, s] = 1
    slot = torch.full((1, n), -1, dtype=torch.long, device=x.device)
    slot[0, :boi.numel()] = torch.arange(boi.numel(), device=x.device)
    b = SimpleNamespace(ids=x, pixels=pix, slot=slot, cross=cross)
    hidden, _ = llm_forward(model, b)
    return hidden


def num_params(model):
    return sum(p.numel() for p in model.state_dict().values())


def feature_sizes(cfg):
    return cfgmod.feature_sizes(cfg.vision)
