"""Loss curves of the training logs (train.py's log-*.jsonl) as a PNG, drawn with PIL alone (no matplotlib):

    python3 engine/training/weft_train/plot_loss.py docs/training-logs/*.jsonl -o docs/training-loss.png

Three panels against the global step: the VAE stage (L1, edge), the joint stage's text CE, and its diffusion
eps-MSE (all tasks, and per task). Vertical lines mark where a run (stage) started.
"""
import argparse
import json
import math

from PIL import Image, ImageDraw

COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194)]


def read(paths):
    """All records sorted by step, and the first step of each log (a run)."""
    recs, starts = [], []
    for p in paths:
        with open(p) as f:
            run = [json.loads(line) for line in f if line.strip()]
        if run:
            starts.append(run[0]["step"])
        recs += run
    recs.sort(key=lambda r: r["step"])
    return recs, sorted(starts)


def smooth(ys, k=5):
    out = []
    for i in range(len(ys)):
        w = ys[max(0, i - k + 1):i + 1]
        out.append(sum(w) / len(w))
    return out


def panel(draw, box, title, series, starts, log=True):
    x0, y0, x1, y1 = box
    draw.rectangle(box, outline=(0, 0, 0))
    draw.text((x0 + 6, y0 - 14), title, fill=(0, 0, 0))
    pts = [(s, v) for _, xs, ys in series for s, v in zip(xs, ys) if v > 0]
    if not pts:
        return
    sx = [p[0] for p in pts]
    f = (lambda v: math.log10(v)) if log else (lambda v: v)
    vy = [f(p[1]) for p in pts]
    lo_x, hi_x = min(sx), max(sx)
    lo_y, hi_y = min(vy), max(vy)
    if hi_x == lo_x:
        hi_x += 1
    if hi_y - lo_y < 1e-6:
        hi_y += 0.5
        lo_y -= 0.5
    px = lambda s: x0 + 40 + (x1 - x0 - 50) * (s - lo_x) / (hi_x - lo_x)  # noqa: E731
    py = lambda v: y1 - 20 - (y1 - y0 - 30) * (f(v) - lo_y) / (hi_y - lo_y)  # noqa: E731
    for s in starts:
        if lo_x <= s <= hi_x:
            draw.line([(px(s), y0 + 1), (px(s), y1 - 1)], fill=(200, 200, 200))
    for i in range(5):  # y ticks
        v = lo_y + (hi_y - lo_y) * i / 4
        yy = y1 - 20 - (y1 - y0 - 30) * i / 4
        draw.text((x0 + 2, yy - 5), f"{10 ** v:.3g}" if log else f"{v:.3g}", fill=(90, 90, 90))
    draw.text((x0 + 40, y1 - 14), f"step {lo_x}", fill=(90, 90, 90))
    draw.text((x1 - 80, y1 - 14), f"step {hi_x}", fill=(90, 90, 90))
    ly = y0 + 4
    for i, (name, xs, ys) in enumerate(series):
        c = COLOURS[i % len(COLOURS)]
        p = [(px(s), py(v)) for s, v in zip(xs, smooth(ys)) if v > 0]
        if len(p) > 1:
            draw.line(p, fill=c, width=2)
        draw.text((x1 - 120, ly), name, fill=c)
        ly += 12


def main():
    a = argparse.ArgumentParser()
    a.add_argument("logs", nargs="+")
    a.add_argument("-o", "--out", required=True)
    args = a.parse_args()
    recs, starts = read(args.logs)
    vae = [r for r in recs if r["stage"] == "vae"]
    joint = [r for r in recs if r["stage"] == "joint"]
    w, h = 1200, 900
    img = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(img)
    ser = lambda rs, k: (k, [r["step"] for r in rs if k in r], [r[k] for r in rs if k in r])  # noqa: E731
    panel(d, (10, 30, w - 10, 300), "VAE stage: reconstruction (L1, MSE, edge), log scale",
          [ser(vae, "l1"), ser(vae, "l2"), ser(vae, "edge")], starts)
    panel(d, (10, 330, w - 10, 600), "joint stage: text cross-entropy (nats/token), log scale",
          [ser(joint, "ce")], starts)
    tasks = [k for k in ("mse_t2i", "mse_story", "mse_map", "mse_style") if any(k in r for r in joint)]
    panel(d, (10, 630, w - 10, 890), "joint stage: diffusion eps-MSE (all, per task), log scale",
          [ser(joint, "mse")] + [ser([r for r in joint if r.get(k, 0) > 0], k) for k in tasks], starts)
    img.save(args.out)
    print(f"{args.out}: {len(vae)} vae and {len(joint)} joint points")


if __name__ == "__main__":
    main()
