"""Library check: weft_ref.llm.MmDecoder with every MMFS gate at 0 equals transformers' LlamaModel on the same
weights (tiny config, fp32, CPU). Prints the max abs diff; exits 1 above 1e-4, 0 (skipped) without transformers.

Run: cd engine/training && python library_checks/check_llama.py
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from weft_ref import config, llm  # noqa: E402

try:
    import transformers
    from transformers import LlamaConfig, LlamaModel
except ImportError:
    print("check_llama: transformers not installed, skipped")
    sys.exit(0)


def main():
    torch.manual_seed(0)
    cfg = config.load("tiny")
    c = cfg.llm
    ours = llm.MmDecoder(cfg).eval()
    with torch.no_grad():
        for name, p in ours.named_parameters():
            if name.endswith("norm.weight") or "layernorm" in name:
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.normal_(0, 0.2)
            if name.endswith("llama_cross_attn.gate"):
                p.zero_()
    kwargs = dict(vocab_size=c.vocab_size, hidden_size=c.hidden_size, intermediate_size=c.intermediate_size,
                  num_hidden_layers=c.num_layers, num_attention_heads=c.num_heads, num_key_value_heads=c.num_heads,
                  rms_norm_eps=c.rms_norm_eps, max_position_embeddings=c.max_positions, rope_theta=c.rope_theta,
                  hidden_act="silu")
    hf_cfg = LlamaConfig(**kwargs)
    try:
        hf = LlamaModel._from_config(hf_cfg, attn_implementation="eager")
    except TypeError:
        hf = LlamaModel(hf_cfg)
    hf.eval()
    sd = {k: v for k, v in ours.state_dict().items() if "llama_cross_attn" not in k}
    missing, unexpected = hf.load_state_dict(sd, strict=False)
    missing = [k for k in missing if "rotary" not in k]
    assert not missing and not unexpected, (missing, unexpected)

    b, t = 2, 40
    embeds = torch.randn(b, t, c.hidden_size)
    pos = torch.arange(7, 7 + t)[None].expand(b, t)
    shapes = llm.llm_spatial_shapes(cfg)
    vision = torch.randn(b, 2, sum(s * s for s in shapes), cfg.vision.hidden_size)
    cross = (torch.rand(b, t, 2) > 0.5).float()
    worst = 0.0
    with torch.no_grad():
        ref = hf(inputs_embeds=embeds, position_ids=pos).last_hidden_state
        for label, kw in [("no vision", {}), ("vision, gates 0", {"vision": vision, "cross_mask": cross})]:
            mine, _ = ours(embeds, position_ids=pos, **kw)
            d = (mine - ref).abs().max().item()
            worst = max(worst, d)
            print(f"check_llama ({label}) vs transformers {transformers.__version__} LlamaModel: "
                  f"max abs diff {d:.3e} (ref max |x| {ref.abs().max().item():.3e})")
        # cached decoding: prefill 30 then one token at a time, against the same full forward
        h0, cache = ours(embeds[:, :30], position_ids=pos[:, :30])
        steps = [h0]
        for i in range(30, t):
            h, cache = ours(embeds[:, i:i + 1], position_ids=pos[:, i:i + 1], past_key_values=cache)
            steps.append(h)
        d = (torch.cat(steps, 1) - ref).abs().max().item()
        worst = max(worst, d)
        print(f"check_llama (cached decoding) vs transformers: max abs diff {d:.3e}")
    if worst > 1e-4:
        print("check_llama: FAILED")
        sys.exit(1)
    print("check_llama: ok")


if __name__ == "__main__":
    main()
