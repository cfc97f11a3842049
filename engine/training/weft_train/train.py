"""Trains weft-small on the procedural world, in resumable stages (docs/training.md gives the exact commands).

    python -m weft_train.train --data /tmp/world --stage vae   --minutes 6 --out $OUT
    python -m weft_train.train --data /tmp/world --stage joint --minutes 8 --out $OUT [--decay]

Stages:
- ``vae``: the AutoencoderKL alone on the pictures (L1 + MSE + edge + a small KL). At its end the VAE takes its EMA
  weights and the latent scaling factor is measured (1 / std of the latent means), kept in the checkpoint's meta.
- ``joint``: everything else together with the VAE frozen (MMI freezes its VAE too): visual tokenizer (ViT +
  adapter + Q-Former), LLM with MMFS, text head, context resampler, UNet with MMFSNet, ``neg_prompt_embeds``, on
  MMI's objective (forward.py) over the task mix of docs.py. Run it several times; ``--decay`` on the last run
  anneals the learning rate to 5 % over that run's time.

Data-parallel on several GPUs: launch with ``torchrun --standalone --nproc_per_node=N -m``-style (gpu_stage.sh does
it when the machine has more than one GPU). Each rank draws its own documents (``--batch`` is per rank), gradients
are averaged over ranks in one flat all-reduce, and rank 0's clock decides the learning-rate schedule and the end of
the run, so every rank takes identical optimiser steps; rank 0 alone logs (means over ranks) and writes.

Every run resumes from ``--ckpt/last.pt`` (fp32 weights, EMA, optimiser, step) when it exists, else from the fp16
EMA weights of a carried folder (``--carried``, written by an earlier run's ``--out``), else starts fresh. At its end
it writes ``last.pt`` and, to ``--out``: the EMA weights in fp16 (``weights-0000k.safetensors``, at most 15 MB each),
``meta.json``, the run's loss log (``log-<stage>-<step>.jsonl``) and a preview sheet.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from weft_ref import config as cfgmod, st  # noqa: E402
from weft_ref.model import MMInterleaved  # noqa: E402
from weft_train import forward as fw  # noqa: E402
from weft_train.docs import TASKS, Mixer, Tokens, collate  # noqa: E402
from weft_train.gpu_world import GpuWorld  # noqa: E402

NO_DECAY = ("bias", "norm", "embed_tokens", "queries", "neg_prompt_embeds", "soi_token", "gate", "query_relpos",
            "class_embedding", "position_embedding", "adapter_level_embed", "gamma", "_ln.")


def parse(argv=None):
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--data", required=True)
    a.add_argument("--stage", choices=("vae", "joint"), required=True)
    a.add_argument("--config", default="weft-small")
    a.add_argument("--minutes", type=float, default=8.0)
    a.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: time only)")
    a.add_argument("--ckpt", default="/tmp/ckpt")
    a.add_argument("--carried", default="")
    a.add_argument("--out", default="")
    a.add_argument("--batch", type=int, default=128, help="documents (joint) or pictures (vae) per step")
    a.add_argument("--lr", type=float, default=0)
    a.add_argument("--warmup", type=int, default=200)
    a.add_argument("--decay", action="store_true")
    a.add_argument("--ema", type=float, default=0.999)
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--log-every", type=int, default=25)
    a.add_argument("--preview-steps", type=int, default=30)
    a.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return a.parse_args(argv)


class Dist:
    """Rank and size under torchrun (WORLD_SIZE > 1), else a single process."""

    def __init__(self, device):
        self.size = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local = int(os.environ.get("LOCAL_RANK", "0"))
        self.device = device
        if self.size > 1:
            import torch.distributed as dist
            self.dist = dist
            if device.startswith("cuda"):
                torch.cuda.set_device(self.local)
                self.device = f"cuda:{self.local}"
            dist.init_process_group("nccl" if device.startswith("cuda") else "gloo")

    @property
    def main(self):
        return self.rank == 0

    def average_grads(self, params):
        """Every parameter's gradient replaced by its mean over ranks (one flat all-reduce)."""
        if self.size == 1:
            return
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
        flat = torch.cat([g.reshape(-1) for g in grads])                         # (sum of numel,)
        self.dist.all_reduce(flat)
        flat.div_(self.size)
        o = 0
        for p in params:
            n = p.numel()
            p.grad = flat[o:o + n].view_as(p)
            o += n

    def from_main(self, value):
        """Rank 0's float, on every rank."""
        if self.size == 1:
            return value
        t = torch.tensor([value if self.main else 0.0], dtype=torch.float64, device=self.device)
        self.dist.all_reduce(t)
        return float(t.item())

    def mean(self, values):
        """Means over ranks of a list of floats."""
        if self.size == 1:
            return values
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        self.dist.all_reduce(t)
        return (t / self.size).tolist()

    def broadcast_params(self, module):
        if self.size > 1:
            for t in module.state_dict().values():
                self.dist.broadcast(t, 0)

    def barrier(self):
        if self.size > 1:
            self.dist.barrier()


class Run:
    def __init__(self, args):
        self.args = args
        self.dist = Dist(args.device)
        self.dev = torch.device(self.dist.device)
        self.cuda = self.dev.type == "cuda"
        if self.cuda:
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
            torch.set_default_device(self.dev)            # the reference builds its masks and tables with defaults
        self.cfg = cfgmod.load(args.config)
        torch.manual_seed(args.seed)
        self.model = MMInterleaved(self.cfg).to(self.dev)
        self.ema = {k: v.detach().clone().float() for k, v in self.model.state_dict().items()}
        self.meta = {"step": 0, "stage_steps": {}, "scale": None, "runs": []}
        self.opt_state = None
        self.resumed = self.resume()
        self.dist.broadcast_params(self.model)
        torch.manual_seed(args.seed + 1000 * self.dist.rank + self.meta["step"])   # per-rank noise and dropout

    # ------------------------------------------------------------------------------------------ checkpoints
    def resume(self):
        a = self.args
        last = os.path.join(a.ckpt, "last.pt")
        if os.path.exists(last):
            ck = torch.load(last, map_location=self.dev)
            self.model.load_state_dict(ck["model"])
            self.ema = {k: v.to(self.dev) for k, v in ck["ema"].items()}
            self.meta = ck["meta"]
            if ck.get("opt_stage") == a.stage:
                self.opt_state = ck["opt"]
            return "last.pt"
        if a.carried and os.path.exists(os.path.join(a.carried, "meta.json")):
            w = {}
            for f in sorted(os.listdir(a.carried)):
                if f.startswith("weights-") and f.endswith(".safetensors"):
                    w.update(st.load(os.path.join(a.carried, f)))
            sd = self.model.state_dict()
            missing = [k for k in sd if k not in w]
            if missing:
                raise SystemExit(f"carried weights lack {len(missing)} tensors, e.g. {missing[:3]}")
            self.model.load_state_dict({k: w[k].float() for k in sd})
            self.ema = {k: v.detach().clone().float() for k, v in self.model.state_dict().items()}
            with open(os.path.join(a.carried, "meta.json")) as f:
                self.meta = json.load(f)
            return "carried"
        return "fresh"

    def save(self, opt, stage):
        a = self.args
        if not self.dist.main:
            self.dist.barrier()
            return
        os.makedirs(a.ckpt, exist_ok=True)
        tmp = os.path.join(a.ckpt, "last.pt.part")
        torch.save({"model": self.model.state_dict(), "ema": self.ema, "meta": self.meta, "opt": opt.state_dict(),
                    "opt_stage": stage}, tmp)
        os.replace(tmp, os.path.join(a.ckpt, "last.pt"))
        if a.out:
            write_weights(self.ema, self.meta, a.out)
        self.dist.barrier()

    # ------------------------------------------------------------------------------------------ optimiser
    def optimizer(self, params, lr):
        decay, no_decay, offsets = [], [], []
        for n, p in params:
            if "sampling_offsets" in n:
                offsets.append(p)
            elif p.dim() < 2 or any(s in n for s in NO_DECAY):
                no_decay.append(p)
            else:
                decay.append(p)
        groups = [{"params": decay, "weight_decay": 0.01, "lr_scale": 1.0},
                  {"params": no_decay, "weight_decay": 0.0, "lr_scale": 1.0},
                  {"params": offsets, "weight_decay": 0.0, "lr_scale": 0.1}]
        kw = {"fused": True} if self.cuda else {}
        opt = torch.optim.AdamW([g for g in groups if g["params"]], lr=lr, betas=(0.9, 0.99), eps=1e-8, **kw)
        if self.opt_state is not None:
            try:
                opt.load_state_dict(self.opt_state)
            except ValueError:
                pass
        return opt

    def set_lr(self, opt, lr, local_step, frac):
        a = self.args
        f = min(1.0, (local_step + 1) / a.warmup) if self.resumed != "last.pt" or self.opt_state is None else 1.0
        if a.decay:
            f *= 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac)))
        for g in opt.param_groups:
            g["lr"] = lr * f * g["lr_scale"]
        return lr * f

    @torch.no_grad()
    def update_ema(self, names, step):
        d = min(self.args.ema, (1 + step) / (10 + step))
        if getattr(self, "_ema_names", None) != names:
            sd = dict(self.model.named_parameters())
            self._ema_names = names
            self._ema_pairs = ([self.ema[n] for n in names], [sd[n] for n in names])
        ema, live = self._ema_pairs
        torch._foreach_mul_(ema, d)
        torch._foreach_add_(ema, [p.detach() for p in live], alpha=1 - d)

    def autocast(self):
        if self.cuda:
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return _Null()

    # ------------------------------------------------------------------------------------------ stages
    def run(self):
        a = self.args
        t_start = time.time()
        world = GpuWorld(a.data, self.dev, self.cfg.vision.image_size)
        self.print(f"data: {len(world)} pictures, {len(world.cat.stories)} stories, loaded in {time.time() - t_start:.1f} s;"
              f" model {fw.num_params(self.model) / 1e6:.2f} M parameters; resumed from {self.resumed}, "
              f"step {self.meta['step']}; {self.dist.size} rank(s), batch {a.batch} per rank")
        if a.stage == "vae":
            self.train_vae(world)
        else:
            self.train_joint(world)

    def print(self, *msg):
        if self.dist.main:
            print(*msg, flush=True)

    def loop(self, stage, params, lr, step_fn):
        a = self.args
        names = [n for n, _ in params]
        plist = [p for _, p in params]
        opt = self.optimizer(params, lr)
        log = None
        if self.dist.main:
            log_path = os.path.join(a.out or a.ckpt, f"log-{stage}-{self.meta['step']:06d}.jsonl")
            os.makedirs(os.path.dirname(log_path), exist_ok=True)
            log = open(log_path, "w")
        t0 = time.time()
        budget = a.minutes * 60
        local = 0
        acc = {}
        el = 0.0
        while True:
            if local % 10 == 0:                               # rank 0's clock, every 10 steps, on every rank
                el = self.dist.from_main(time.time() - t0)
            if el > budget or (a.max_steps and local >= a.max_steps):
                break
            cur = self.set_lr(opt, lr, local, el / budget)
            with self.autocast():
                loss, parts = step_fn(local)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            self.dist.average_grads(plist)
            gn = torch.nn.utils.clip_grad_norm_(plist, 1.0)
            opt.step()
            self.meta["step"] += 1
            local += 1
            self.update_ema(names, self.meta["step"])
            for k, v in parts.items():
                acc.setdefault(k, []).append(v.detach() if torch.is_tensor(v) else torch.tensor(float(v)))
            acc.setdefault("grad_norm", []).append(gn.detach())
            if local % a.log_every == 0 or local == 1:
                rec = {"stage": stage, "step": self.meta["step"], "time": round(time.time() - t0, 1), "lr": cur}
                keys = sorted(acc)
                means = self.dist.mean([float(torch.stack([x.float() for x in acc[k]]).mean()) for k in keys])
                rec.update(zip(keys, means))
                acc = {}
                if log:
                    log.write(json.dumps(rec) + "\n")
                    log.flush()
                self.print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in rec.items()))
        if log:
            log.close()
        if self.dist.size > 1:                               # the ranks must hold the same weights
            with torch.no_grad():
                mine = float(sum(p.double().sum() for p in plist))
            main = self.dist.from_main(mine)
            drift = self.dist.mean([abs(mine - main)])[0]
            self.print(f"{stage}: weights in sync over {self.dist.size} ranks: mean |checksum - rank 0's| {drift:.3g}")
        self.meta["stage_steps"][stage] = self.meta["stage_steps"].get(stage, 0) + local
        self.meta["runs"].append({"stage": stage, "steps": local, "seconds": round(time.time() - t0, 1),
                                  "batch": a.batch, "ranks": self.dist.size, "lr": lr, "decay": a.decay,
                                  "resumed": self.resumed})
        mem = f", peak {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB" if self.cuda else ""
        self.print(f"{stage}: {local} steps in {time.time() - t0:.1f} s ({local / max(1e-9, time.time() - t0):.2f} steps/s"
              f"{mem})")
        return opt

    def train_vae(self, world):
        a = self.args
        vae = self.model.image_decoder.decoder.vae
        for p in self.model.parameters():
            p.requires_grad_(False)
        params = []
        for n, p in self.model.named_parameters():
            if n.startswith("image_decoder.decoder.vae."):
                p.requires_grad_(True)
                params.append((n, p))
        gen = torch.Generator(device="cpu").manual_seed(a.seed + self.meta["step"] + 7919 * self.dist.rank)

        def step(_):
            idx = torch.randint(0, len(world), (a.batch,), generator=gen, device="cpu").to(self.dev)
            x = world.pictures(idx) * 2 - 1
            loss, parts = fw.vae_loss(vae, x)
            return loss, dict(loss=loss, **parts)

        opt = self.loop("vae", params, a.lr or 4e-4, step)
        # the VAE takes its EMA weights; the latent scale is measured on them
        with torch.no_grad():
            for n, p in params:
                p.copy_(self.ema[n])
            gen = torch.Generator(device="cpu").manual_seed(a.seed)              # the same pictures on every rank
            idx = torch.randint(0, len(world), (min(len(world), 4096),), generator=gen, device="cpu").to(self.dev)
            means = []
            for s in range(0, idx.numel(), 256):
                with self.autocast():
                    m, _ = vae.encode(world.pictures(idx[s:s + 256]) * 2 - 1)
                means.append(m.float())
            std = float(torch.cat(means).std())
            self.meta["scale"] = 1.0 / std
            self.print(f"vae: latent std {std:.4f}, scaling factor {1 / std:.5f}")
        self.save(opt, "vae")
        if a.out and self.dist.main:
            self.preview_vae(world)

    def train_joint(self, world):
        a = self.args
        if self.meta.get("scale") is None:
            raise SystemExit("joint: no latent scale in the checkpoint; run the vae stage first")
        scale = float(self.meta["scale"])
        vae = self.model.image_decoder.decoder.vae
        t = time.time()
        world.encode_latents(vae, autocast=self.autocast if self.cuda else None)
        self.print(f"latents of {len(world)} pictures in {time.time() - t:.1f} s")
        params = []
        for n, p in self.model.named_parameters():
            train = p.requires_grad and not n.startswith("image_decoder.decoder.vae.")
            p.requires_grad_(train)
            if train:
                params.append((n, p))
        tok = Tokens(world.ds.vocab)
        k = self.cfg.visual_resampler.num_queries
        mixer = Mixer(world.cat, tok, k, seed=a.seed * 1000003 + self.meta["step"] + 7919 * self.dist.rank)
        abar = fw.abar_table(self.cfg, self.dev)
        table = fw.position_table(self.cfg, self.dev)
        ntask = len(TASKS)

        def step(local):
            arrays = collate(mixer.docs(a.batch), tok)
            jn = len(arrays["tg_row"])
            if self.cuda and jn > 16 and jn % 16:                               # few distinct UNet batch sizes
                for key in ("tg_row", "tg_boi", "tg_img", "tg_prev", "tg_task"):
                    arrays[key] = arrays[key][:jn // 16 * 16]
            b = fw.Batch(arrays, world, self.dev)
            lat = world.latents(b.img_index[b.tg_img], scale) if b.tg_img.numel() else None
            loss, ce, mse, pt = fw.joint_loss(self.model, b, lat, abar, table, per_task=True)
            parts = dict(loss=loss, ce=ce, mse=mse, images=float(b.tg_img.numel()), tokens=float(b.ids.shape[1]))
            if pt is not None:
                sums, counts = pt
                for i in range(ntask):
                    parts[f"mse_{TASKS[i]}"] = sums[i] / counts[i].clamp(min=1)
            return loss, parts

        opt = self.loop("joint", params, a.lr or 3e-4, step)
        self.save(opt, "joint")
        if a.out and self.dist.main:
            self.preview_joint(world, tok, k, scale)

    # ------------------------------------------------------------------------------------------ previews
    def ema_model(self):
        m = MMInterleaved(self.cfg).to(self.dev)
        m.load_state_dict(self.ema)
        return m.eval()

    @torch.no_grad()
    def preview_vae(self, world):
        vae = self.model.image_decoder.decoder.vae
        idx = torch.arange(0, min(len(world), 16 * 997), 997, device=self.dev)[:16]
        x = world.pictures(idx)
        rec = (vae.decode(vae.encode(x * 2 - 1)[0]).float() / 2 + 0.5).clamp(0, 1)
        save_sheet([x, rec], os.path.join(self.args.out, "preview-vae.png"))

    @torch.no_grad()
    def preview_joint(self, world, tok, k, scale):
        model = self.ema_model()
        mixer = Mixer(world.cat, tok, k, seed=12345)
        rows = []
        for task in ("t2i", "t2i", "story", "map", "style"):
            docs = [mixer.doc(task) for _ in range(8)]
            arrays = collate(docs, tok)
            # keep only the last diffusion target of each row (its truth is the picture there)
            last = {}
            for j, r in enumerate(arrays["tg_row"]):
                last[int(r)] = j
            keep = np.array(sorted(last.values()), dtype=np.int64)
            for key in ("tg_row", "tg_boi", "tg_img", "tg_prev", "tg_task"):
                arrays[key] = arrays[key][keep]
            b = fw.Batch(arrays, world, self.dev)
            g = torch.Generator().manual_seed(7)
            with self.autocast():
                img = fw.sample_images(model, b, self.args.preview_steps, 3.5, scale, g)
            truth = world.pictures(b.img_index[b.tg_img])
            cond = b.pixels[b.tg_prev.clamp(min=0)] * (b.tg_prev >= 0)[:, None, None, None]
            rows += [cond, truth, img.float()]
        save_sheet(rows, os.path.join(self.args.out, "preview-joint.png"))
        # greedy captions of 6 pictures
        pics = [int(i) for i in np.arange(6) * 1013 % len(world)]
        prompts = [[tok.bos, tok.boi] + [tok.image] * k for _ in pics]
        pix = [world.encoder_pixels(torch.zeros(1, dtype=torch.long, device=self.dev),
                                    torch.tensor([p], device=self.dev)) for p in pics]
        with self.autocast():
            outs = fw.greedy_text(model, prompts, pix, 40)
        with open(os.path.join(self.args.out, "preview-captions.txt"), "w") as f:
            for p, o in zip(pics, outs):
                f.write(f"truth: {world.ds.vocab.decode(world.cat.captions[p])}\nmodel: {world.ds.vocab.decode(o)}\n\n")


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def write_weights(sd, meta, out, max_bytes=15_000_000):
    """fp16 safetensors shards of at most max_bytes each (weights-00000.safetensors ...) and meta.json."""
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.startswith("weights-") and f.endswith(".safetensors"):
            os.remove(os.path.join(out, f))
    shard, size, n = {}, 0, 0
    for name in sorted(sd):
        t = sd[name].detach().cpu()
        t = t.half() if t.is_floating_point() else t
        nb = t.numel() * t.element_size()
        if shard and size + nb > max_bytes:
            st.save(shard, os.path.join(out, f"weights-{n:05d}.safetensors"))
            shard, size, n = {}, 0, n + 1
        shard[name] = t
        size += nb
    st.save(shard, os.path.join(out, f"weights-{n:05d}.safetensors"))
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


def save_sheet(rows, path):
    """Rows of (n, 3, H, W) images in [0, 1] -> one PNG grid."""
    from PIL import Image
    n = max(r.shape[0] for r in rows)
    h, w = rows[0].shape[2], rows[0].shape[3]
    sheet = np.full((len(rows) * (h + 2), n * (w + 2), 3), 255, dtype=np.uint8)
    for i, r in enumerate(rows):
        a = (r.detach().float().clamp(0, 1).cpu().numpy().transpose(0, 2, 3, 1) * 255 + 0.5).astype(np.uint8)
        for j in range(a.shape[0]):
            sheet[i * (h + 2):i * (h + 2) + h, j * (w + 2):j * (w + 2) + w] = a[j]
    Image.fromarray(sheet).save(path)


def main(argv=None):
    args = parse(argv)
    run = Run(args)
    run.run()
    if run.dist.size > 1:
        run.dist.dist.destroy_process_group()


if __name__ == "__main__":
    main()
