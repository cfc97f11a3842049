"""Library check: weft_ref.vision's CLIP ViT against transformers' CLIPVisionModel with the same weights.

Builds the reference at a small CLIP config (and, with --large, at CLIP ViT-L/14's sizes), randomises every
parameter, copies the ViT weights into transformers' CLIPVisionModel (eager attention, CPU, fp32) and compares
all hidden states (embeddings after pre_layrnorm, then every layer; HF's hidden_states) and the last hidden
state. Also checks that the adapter's last hidden state equals CLIP's when every injector gamma is zero.

Prints the max abs diff per tensor; exits 1 above 1e-4, 0 when transformers is missing (skipped).
Seen on the GPU machine (torch 2.11, transformers 5.17, CPU): 0.0 for every hidden state, tiny and ViT-L/14.
Run: cd engine/training && python library_checks/check_clip.py [--large]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

try:
    from transformers import CLIPVisionConfig, CLIPVisionModel
except ImportError:
    print("SKIP check_clip: transformers is not installed")
    sys.exit(0)

from weft_ref import config  # noqa: E402
from weft_ref.vision import ClipVisionAdapter  # noqa: E402

TOL = 1e-4


def randomise(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1 and ("norm" in name or "layrnorm" in name) and name.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / p[0].numel() ** 0.5)


def check(vcfg, batch, label):
    torch.manual_seed(0)
    ours = ClipVisionAdapter(vcfg).eval()
    randomise(ours, 1)
    hf_cfg = CLIPVisionConfig(hidden_size=vcfg.hidden_size, intermediate_size=vcfg.intermediate_size,
                              num_hidden_layers=vcfg.num_layers, num_attention_heads=vcfg.num_heads,
                              image_size=vcfg.image_size, patch_size=vcfg.patch_size,
                              layer_norm_eps=vcfg.layer_norm_eps, hidden_act="quick_gelu")
    hf_cfg._attn_implementation = "eager"
    hf = CLIPVisionModel(hf_cfg).eval()
    # transformers 4.x names the tower vision_model.*; 5.x drops that prefix
    prefix = "vision_model." if next(iter(hf.state_dict())).startswith("vision_model.") else ""
    sd = {prefix + k: v for k, v in ours.state_dict().items() if not k.startswith("adapter")}
    res = hf.load_state_dict(sd, strict=False)
    missing = [k for k in res.missing_keys if "post_layernorm" not in k and "position_ids" not in k]
    if missing or res.unexpected_keys:
        print(f"FAIL {label}: missing {missing}, unexpected {res.unexpected_keys}")
        return False
    pixels = torch.randn(batch, 3, vcfg.image_size, vcfg.image_size, generator=torch.Generator().manual_seed(2))
    ok = True
    with torch.no_grad():
        mine = ours.vit_hidden_states(pixels)
        theirs = hf(pixel_values=pixels, output_hidden_states=True)
        pairs = [(f"hidden_states[{i}]", a, b) for i, (a, b) in enumerate(zip(mine, theirs.hidden_states))]
        pairs.append(("last_hidden_state", mine[-1], theirs.last_hidden_state))
        for blk in ours.adapter_interactions:
            blk.injector.gamma.zero_()
        last, _ = ours(pixels)
        pairs.append(("adapter last_hidden (gamma=0)", last, theirs.last_hidden_state))
    if len(mine) != len(theirs.hidden_states):
        print(f"FAIL {label}: {len(mine)} hidden states vs {len(theirs.hidden_states)}")
        ok = False
    for name, a, b in pairs:
        d = float((a - b).abs().max())
        ok &= d <= TOL
        print(f"{label:>10} {name:<32} maxdiff {d:.3e} (ref max |x| {float(b.abs().max()):.3e})")
    return ok


def main():
    torch.set_num_threads(max(1, min(8, os.cpu_count() or 1)))
    ok = check(config.load("tiny").vision, 2, "tiny")
    if "--large" in sys.argv:
        ok &= check(config.load("mm-interleaved-13b").vision, 1, "ViT-L/14")
    print("OK" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
