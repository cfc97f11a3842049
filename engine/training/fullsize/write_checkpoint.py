"""Writes a randomly initialised MM-Interleaved checkpoint in the released layout, for the Java reader to check.

    python3 engine/training/fullsize/write_checkpoint.py --config mm-interleaved-13b --out /tmp/full

The released checkpoint (notes 1.9) is two pickled ``torch.save`` shards, ``pytorch_model-0000{1,2}-of-00002.bin``
(34.47 GB + 25.18 GB of fp32) and ``pytorch_model.bin.index.json``. This script builds our reference
``weft_ref.model.MMInterleaved`` at the chosen size (on the ``meta`` device first, so the 60 GB are allocated once,
on the CPU), fills every parameter with values drawn from a generator seeded by the tensor's name, adds the one
buffer the release carries that our modules do not register (transformers 4.31 CLIP's persistent
``embeddings.position_ids``, int64), and writes:

- the two shards, split in sorted-name order at the released first shard's share of the bytes (57.8 %), each
  with ``torch.save`` (zip format);
- ``pytorch_model.bin.index.json`` (``metadata.total_size``, ``weight_map``), as transformers writes it;
- ``checksums.json``: for a sample of tensors (every ``--every``-th name in sorted order, plus the three largest),
  dtype, shape, the float64 sum and sum of absolute values, and the first 8 elements; ``weft check --expect``
  compares them with what the Java reader reads.

With ``--format safetensors-fp16`` it writes the same names and values rounded to fp16 as safetensors shards of at
most ``--shard-gb`` GB with ``model.safetensors.index.json`` instead (what ``weft convert --dtype fp16`` makes of the
release: half the disk), for loading the full-size model on a GPU in fp16; no checksums then.

Needs torch 2.x for the meta device at full size; the tiny config also runs on torch 1.13.
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time
import zlib

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from weft_ref import config as cfgmod, st  # noqa: E402
from weft_ref.model import MMInterleaved  # noqa: E402

RELEASED_FIRST_SHARE = 34_470_686_099 / (34_470_686_099 + 25_181_795_087)
POSITION_IDS = "visual_tokenizer.encoder.vision_model.embeddings.position_ids"


def build(cfg, half=False):
    """The reference model with every parameter allocated on the CPU (in fp16 with ``half``) and uninitialised."""
    if hasattr(torch, "set_default_device"):
        with torch.device("meta"):
            model = MMInterleaved(cfg)
        if half:
            model = model.half()
        return model.to_empty(device="cpu")
    model = MMInterleaved(cfg)                                # torch 1.13: small configs only
    return model.half() if half else model


def fill(name, t):
    """Deterministic values per name: N(0, 0.02) for matrices, 1 + N(0, 0.02) for 1-d weights named like norms."""
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    with torch.no_grad():
        v = t if t.dtype == torch.float32 else torch.empty(t.shape, dtype=torch.float32)
        v.normal_(0.0, 0.02, generator=g)
        if t.dim() == 1 and ("norm" in name.lower() or name.endswith("ln.weight")) and name.endswith("weight"):
            v.add_(1.0)
        if v is not t:
            t.copy_(v)                                        # the fp32 draw rounded to fp16


def main(argv=None):
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--config", default="mm-interleaved-13b")
    a.add_argument("--out", required=True)
    a.add_argument("--every", type=int, default=60, help="checksum every N-th tensor in sorted-name order")
    a.add_argument("--threads", type=int, default=min(32, os.cpu_count() or 1))
    a.add_argument("--format", choices=["bin", "safetensors-fp16"], default="bin")
    a.add_argument("--shard-gb", type=float, default=10.0, help="safetensors-fp16: the most GB per shard")
    args = a.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()
    cfg = cfgmod.load(args.config)

    # 1. the architecture, allocated on the CPU
    half = args.format == "safetensors-fp16"
    model = build(cfg, half)
    sd = dict(model.state_dict())
    t_build = time.time() - t0

    # 2. random values, name-seeded, in parallel (each normal_ releases the GIL)
    with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(lambda kv: fill(*kv), sd.items()))
    side = cfg.vision.image_size // cfg.vision.patch_size
    sd[POSITION_IDS] = torch.arange(side * side + 1, dtype=torch.int64)[None]          # (1, 1 + grid^2)
    names = sorted(sd)
    total = sum(sd[n].numel() * sd[n].element_size() for n in names)
    params = sum(sd[n].numel() for n in names if n != POSITION_IDS)
    t_fill = time.time() - t0 - t_build
    print(f"built {len(names)} tensors, {params:,} parameters, {total / 1e9:.2f} GB in {t_build:.1f} s; "
          f"filled in {t_fill:.1f} s", flush=True)

    if half:
        write_safetensors(sd, names, total, args)
        return

    # 3. two shards, split at the released first shard's share of the bytes
    shards, cur, size = [[]], 0, 0
    for n in names:
        b = sd[n].numel() * sd[n].element_size()
        if shards[-1] and len(shards) == 1 and size + b > RELEASED_FIRST_SHARE * total:
            shards.append([])
        shards[-1].append(n)
        size += b
    files = [f"pytorch_model-{i + 1:05d}-of-{len(shards):05d}.bin" for i in range(len(shards))]
    weight_map = {}
    for f, part in zip(files, shards):
        t = time.time()
        path = os.path.join(args.out, f)
        torch.save({n: sd[n] for n in part}, path)
        weight_map.update({n: f for n in part})
        print(f"{f}: {len(part)} tensors, {os.path.getsize(path):,} bytes in {time.time() - t:.1f} s", flush=True)
    with open(os.path.join(args.out, "pytorch_model.bin.index.json"), "w") as fh:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, fh, indent=2)

    # 4. checksums of a sample
    sample = set(names[::args.every])
    sample.update(sorted(names, key=lambda n: -sd[n].numel())[:3])
    out = {}
    for n in sorted(sample):
        t = sd[n]
        flat = t.reshape(-1)
        out[n] = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
                  "sum": float(flat.double().sum()), "abs_sum": float(flat.double().abs().sum()),
                  "head": [float(x) for x in flat[:8].tolist()]}
    with open(os.path.join(args.out, "checksums.json"), "w") as fh:
        json.dump({"config": args.config, "tensors": out}, fh, indent=1)
    print(f"checksums of {len(out)} tensors; total {time.time() - t0:.1f} s", flush=True)


def write_safetensors(sd, names, total, args):
    """fp16 safetensors shards of at most --shard-gb GB in sorted-name order, and their index."""
    t0 = time.time()
    limit = args.shard_gb * 1e9
    shards, size = [[]], 0
    for n in names:
        b = sd[n].numel() * sd[n].element_size()
        if shards[-1] and size + b > limit:
            shards.append([])
            size = 0
        shards[-1].append(n)
        size += b
    files = [f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors" for i in range(len(shards))]
    weight_map = {}
    for f, part in zip(files, shards):
        st.save({n: sd[n].contiguous() for n in part}, os.path.join(args.out, f), {"format": "pt"})
        weight_map.update({n: f for n in part})
    with open(os.path.join(args.out, "model.safetensors.index.json"), "w") as fh:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, fh, indent=2)
    print(f"{len(files)} safetensors shards, {total / 1e9:.2f} GB in {time.time() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    main()
