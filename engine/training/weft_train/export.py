"""Exports trained weights (a folder of weights-*.safetensors + meta.json written by train.py) as the bundled model:

    /usr/bin/python3 engine/training/weft_train/export.py CKPT_DIR [assets/weft-small] [--own-scale] [--config NAME]

Writes model-0000k-of-0000n.safetensors shards in fp16 (each under 15 MiB) + model.safetensors.index.json (or one
model.safetensors when it fits), and config.json = configs/weft-small.json with the VAE scaling factor measured in
training (meta.json "scale"). The bundled model's scale is also the ModelConfig preset's, so the export refuses
a measured scale that differs from configs/weft-small.json; --own-scale writes the measured one into config.json
instead (a model folder beside the bundled one, e.g. a reproducibility re-run scored with `weft eval --model DIR`). The tokenizer.json of the folder is left as it is. Names are the checkpoint's
(notes 1.9); every tensor the reference model has is written, nothing else. ``--config NAME`` exports a model trained
with another config of engine/training/configs (train.py's --config, e.g. weft-small-v2) in place of weft-small.json.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from weft_ref import config as cfgmod, st  # noqa: E402
from weft_ref.model import MMInterleaved  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SHARD_BYTES = 14 * 2 ** 20


def load_weights(folder):
    w = {}
    for f in sorted(os.listdir(folder)):
        if f.startswith("weights-") and f.endswith(".safetensors"):
            w.update(st.load(os.path.join(folder, f)))
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    return w, meta


def main(src, dst, own_scale=False, config_name="weft-small"):
    w, meta = load_weights(src)
    cfg_path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "configs",
                            config_name + ".json")
    with open(cfg_path) as f:
        config = json.load(f)
    if own_scale:
        config["vae"]["scaling_factor"] = round(meta["scale"], 5)
    elif abs(config["vae"]["scaling_factor"] - round(meta["scale"], 5)) > 1e-9:
        fix = ("set WEFT_SMALL_VAE_SCALE in ModelConfig.java and regenerate the JSON (ConfigPresetsTest "
               "-Dweft.writePresets=true)") if config_name == "weft-small" else \
            f"write it into configs/{config_name}.json, or pass --own-scale"
        raise SystemExit(f"configs/{config_name}.json has scaling_factor {config['vae']['scaling_factor']}, training "
                         f"measured {round(meta['scale'], 5)}: {fix}")
    cfg = cfgmod.load(cfg_path)
    names = list(MMInterleaved(cfg).state_dict().keys())
    missing = [k for k in names if k not in w]
    extra = [k for k in w if k not in names]
    if missing or extra:
        raise SystemExit(f"weights do not match the model: missing {missing[:5]}, unexpected {extra[:5]}")
    tensors = {k: (w[k].half() if w[k].is_floating_point() else w[k]) for k in names}
    os.makedirs(dst, exist_ok=True)
    for f in os.listdir(dst):
        if f.startswith("model") and (f.endswith(".safetensors") or f.endswith(".index.json")):
            os.remove(os.path.join(dst, f))
    shards, cur, size = [], {}, 0
    for k in sorted(tensors):
        nb = tensors[k].numel() * tensors[k].element_size()
        if cur and size + nb > SHARD_BYTES:
            shards.append(cur)
            cur, size = {}, 0
        cur[k] = tensors[k]
        size += nb
    shards.append(cur)
    info = {"model": config["name"], "format": "pt", "steps": str(meta["step"]),
            "stage_steps": json.dumps(meta["stage_steps"]), "dtype": "fp16"}
    if len(shards) == 1:
        st.save(shards[0], os.path.join(dst, "model.safetensors"), info)
    else:
        index = {"metadata": {"total_size": sum(t.numel() * t.element_size() for t in tensors.values())},
                 "weight_map": {}}
        for i, sh in enumerate(shards):
            name = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
            st.save(sh, os.path.join(dst, name), info)
            for k in sh:
                index["weight_map"][k] = name
        with open(os.path.join(dst, "model.safetensors.index.json"), "w") as f:
            json.dump(index, f, indent=2, sort_keys=True)
    with open(os.path.join(dst, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    n = sum(t.numel() for t in tensors.values())
    print(f"{dst}: {len(tensors)} tensors, {n / 1e6:.2f} M values, {len(shards)} file(s), "
          f"{sum(os.path.getsize(os.path.join(dst, f)) for f in os.listdir(dst)) / 2**20:.1f} MiB in the folder")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Export trained weights as a Weft model folder (fp16 safetensors).")
    ap.add_argument("ckpt", help="a folder of weights-*.safetensors + meta.json written by train.py")
    ap.add_argument("out", nargs="?", help="the model folder (default: assets/weft-small, for weft-small only)")
    ap.add_argument("--own-scale", action="store_true",
                    help="write the VAE scale measured in training into config.json")
    ap.add_argument("--config", default="weft-small",
                    help="the config of engine/training/configs it was trained with (default weft-small)")
    a = ap.parse_args()
    if a.config != "weft-small" and a.out is None:
        ap.error(f"--config {a.config}: name the output folder (the default, assets/weft-small, is the bundled "
                 f"weft-small's)")
    main(a.ckpt, a.out or os.path.join(ROOT, "assets", "weft-small"), a.own_scale, a.config)
