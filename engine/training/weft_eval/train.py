"""Trains EvalNet on ground-truth renders of the world only (never on generated pictures).

    ./weft world --seed 500 --count 6000 --stories 0 --pairs 0 --out /tmp/evaldata/train
    ./weft world --seed 600 --count 600 --stories 0 --pairs 0 --out /tmp/evaldata/val
    cd engine/training && /usr/bin/python3 -m weft_eval.train --train /tmp/evaldata/train \
        --val /tmp/evaldata/val --out ../../assets/evaluators/evalnet.safetensors

Seeds 500-699 are disjoint from the model's training data (1..99) and from `weft eval` (>= 1000). Augmentation
keeps to what a ground-truth render may plausibly go through in a generator's output: flips, a little noise, a
blur, a 128 -> 64 -> 128 round trip (decoders of 64 px), a small brightness change. Prints the held-out scores
(pixel accuracy, mIoU over the 13 classes, colour accuracy on object pixels, style accuracy).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from weft_ref import st  # noqa: E402
from weft_eval import data  # noqa: E402
from weft_eval.model import CLASSES, COLOURS, NO_COLOUR, EvalNet  # noqa: E402


def augment(x, cls, col, g):
    """x (B, 3, 128, 128) float in [0, 1]; cls, col (B, 64, 64) long. Random per picture."""
    b = x.shape[0]
    dev = x.device
    flip = torch.rand(b, generator=g, device=dev) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    cls = torch.where(flip[:, None, None], cls.flip(2), cls)
    col = torch.where(flip[:, None, None], col.flip(2), col)
    rt = torch.rand(b, generator=g, device=dev) < 0.3
    if rt.any():
        small = F.interpolate(x, size=64, mode="bilinear", align_corners=False)
        back = F.interpolate(small, size=128, mode="bilinear", align_corners=False)
        x = torch.where(rt[:, None, None, None], back, x)
    blur = torch.rand(b, generator=g, device=dev) < 0.2
    if blur.any():
        k = torch.ones(3, 1, 3, 3, device=dev) / 9
        bl = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), k, groups=3)
        x = torch.where(blur[:, None, None, None], bl, x)
    bright = 1 + 0.1 * (torch.rand(b, 1, 1, 1, generator=g, device=dev) - 0.5)
    sigma = 0.04 * torch.rand(b, 1, 1, 1, generator=g, device=dev)
    x = (x * bright + sigma * torch.randn(x.shape, generator=g, device=dev)).clamp(0, 1)
    return x, cls, col


def to_input(images):
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 255


@torch.no_grad()
def evaluate(net, images, cls, col, style, batch=100):
    net.eval()
    dev = next(net.parameters()).device
    inter = np.zeros(CLASSES)
    union = np.zeros(CLASSES)
    pix = pix_ok = obj = obj_ok = st_ok = 0
    for i in range(0, len(images), batch):
        a, c, s = (t.cpu() for t in net(to_input(images[i:i + batch]).to(dev)))
        pc = a.argmax(1).numpy()
        pcol = c.argmax(1).numpy()
        gc = cls[i:i + batch]
        gcol = col[i:i + batch]
        for k in range(CLASSES):
            p, t = pc == k, gc == k
            inter[k] += (p & t).sum()
            union[k] += (p | t).sum()
        pix += gc.size
        pix_ok += (pc == gc).sum()
        m = gcol != NO_COLOUR
        obj += m.sum()
        obj_ok += (pcol[m] == gcol[m]).sum()
        st_ok += (s.argmax(1).numpy() == style[i:i + batch]).sum()
    net.train()
    iou = inter / np.maximum(union, 1)
    return {"pixel_acc": pix_ok / pix, "miou": float(iou[union > 0].mean()),
            "colour_acc_on_objects": obj_ok / obj, "style_acc": st_ok / len(images),
            "iou": [round(float(v), 4) for v in iou]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--val", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--eval-only", action="store_true", help="score the weights in --out on --val")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    g = torch.Generator(device=dev).manual_seed(a.seed + 1)
    t0 = time.time()
    if a.eval_only:
        net = EvalNet().to(dev)
        net.load_state_dict({k: v.float() for k, v in st.load(a.out).items()})
        print("held-out (seed of --val):", json.dumps(evaluate(net, *data.load(a.val))), flush=True)
        return
    tr = data.load(a.train, a.limit)
    va = data.load(a.val)
    print(f"data: {len(tr[0])} train, {len(va[0])} held-out pictures ({time.time() - t0:.0f} s)", flush=True)
    net = EvalNet().to(dev)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    n = len(tr[0])
    steps = a.epochs * (n // a.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 100) * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    cls_all = torch.from_numpy(tr[1].astype(np.int64)).to(dev)
    col_all = torch.from_numpy(tr[2].astype(np.int64)).to(dev)
    sty_all = torch.from_numpy(tr[3]).to(dev)
    img_all = torch.from_numpy(tr[0]).to(dev)                       # uint8 (N, 128, 128, 3)
    step = 0
    for ep in range(a.epochs):
        perm = torch.randperm(n, generator=g, device=dev)
        tot = 0.0
        for i in range(0, n - a.batch + 1, a.batch):
            idx = perm[i:i + a.batch]
            x = img_all[idx].permute(0, 3, 1, 2).float() / 255
            x, c, col = augment(x, cls_all[idx], col_all[idx], g)
            pc, pcol, ps = net(x)
            loss = F.cross_entropy(pc, c) + F.cross_entropy(pcol, col) + F.cross_entropy(ps, sty_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            tot += loss.item()
            if step % 50 == 0:
                print(f"epoch {ep} step {step}/{steps} loss {tot / 50:.4f} ({time.time() - t0:.0f} s)", flush=True)
                tot = 0.0
        r = evaluate(net, *va)
        print(f"epoch {ep}: held-out {json.dumps({k: v for k, v in r.items() if k != 'iou'})}", flush=True)
    r = evaluate(net, *va)
    print("held-out (seed of --val):", json.dumps(r), flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    sd = {k: v.detach().cpu().half() for k, v in net.state_dict().items()}
    meta = {"format": "weft-evalnet", "widths": ",".join(map(str, net.widths)), "train": a.train, "val": a.val,
            "train_pictures": n, "epochs": a.epochs, "seed": a.seed, "torch": torch.__version__,
            "held_out": json.dumps(r)}
    st.save(sd, a.out, meta)
    print(f"wrote {a.out} ({os.path.getsize(a.out) / 1024:.0f} KiB), {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
