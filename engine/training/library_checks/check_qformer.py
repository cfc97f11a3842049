"""Library check: weft_ref's Q-Former (QK-norm off) against transformers' Blip2QFormerModel on the same weights.

Loads our ``blip2qformer`` state_dict into transformers' model with strict key matching (so the parameter names are
the library's, with no text-branch ``intermediate``/``output`` keys), then compares the last hidden state for
(a) the context resampler (tiny: cross-attention every layer, encoder padding mask) and (b) a visual-like
resampler (2 layers, cross-attention every 2 layers, shared queries broadcast over the batch).
Prints max abs diff; exits 1 above 1e-4, 0 when transformers is not installed (skipped).

Run: cd engine/training/library_checks && python3 check_qformer.py
"""
import os
import sys
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from weft_ref import config  # noqa: E402
from weft_ref.qformer import PerceiverResampler, randomise_  # noqa: E402

try:
    import transformers
    from transformers import Blip2QFormerConfig, Blip2QFormerModel
except ImportError:
    print("check_qformer: transformers not installed, skipped")
    sys.exit(0)

TOL = 1e-4


def compare(name, qcfg, batch, seq, lengths):
    torch.manual_seed(0)
    ours = randomise_(PerceiverResampler(qcfg)).eval()
    kwargs = dict(hidden_size=qcfg.hidden_size, num_hidden_layers=qcfg.num_layers,
                  num_attention_heads=qcfg.num_heads, intermediate_size=qcfg.intermediate_size,
                  cross_attention_frequency=qcfg.cross_attention_frequency,
                  encoder_hidden_size=qcfg.encoder_hidden_size, layer_norm_eps=qcfg.layer_norm_eps,
                  hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, hidden_act="gelu")
    hf_cfg = Blip2QFormerConfig(**kwargs)
    try:
        hf = Blip2QFormerModel._from_config(hf_cfg, attn_implementation="eager")
    except Exception:  # older transformers
        hf = Blip2QFormerModel(hf_cfg)
    hf = hf.eval()
    sd = ours.blip2qformer.state_dict()
    hf_keys = set(hf.state_dict().keys())
    missing = sorted(hf_keys - set(sd.keys()))
    unexpected = sorted(set(sd.keys()) - hf_keys)
    if missing or unexpected:
        print(f"{name}: key mismatch\n  missing in ours: {missing}\n  not in transformers: {unexpected}")
        return False
    hf.load_state_dict(sd, strict=True)
    enc = torch.randn(batch, seq, qcfg.encoder_hidden_size)
    mask = torch.ones(batch, seq, dtype=torch.long)
    for i, n in enumerate(lengths):
        mask[i, n:] = 0
        enc[i, n:] *= 50.0
    with torch.no_grad():
        a = ours(enc, mask)
        b = hf(query_embeds=ours.queries.expand(batch, -1, -1), encoder_hidden_states=enc,
               encoder_attention_mask=mask, return_dict=True).last_hidden_state
    diff = (a - b).abs().max().item()
    print(f"{name}: max abs diff {diff:.3e} over {tuple(a.shape)} (transformers {transformers.__version__})")
    return diff <= TOL


def main():
    cfg = config.load("tiny")
    ok = compare("context resampler", cfg.context_resampler, 3, 10, [10, 6, 2])
    v = vars(cfg.visual_resampler).copy()
    v["qk_normalization"] = False  # the QK-norm is MMI's monkey patch, not in transformers
    ok &= compare("visual-like resampler (no QK-norm)", SimpleNamespace(**v), 2, 65, [65, 65])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
