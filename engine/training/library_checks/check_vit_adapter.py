"""Library check: weft_ref.vision against MM-Interleaved's own CLIPVisionTransformerAdapter.

Imports the released code from a checkout of OpenGVLab/MM-Interleaved (path in $MMI_ROOT or --mmi PATH; its
package mm_interleaved/models/encoders/vit_adapter is imported on its own, so the rest of the repository's
dependencies are not needed), with transformers' CLIPEncoder (eager attention) and timm. The CUDA-only
MultiScaleDeformableAttention kernel is replaced by the same file's ms_deform_attn_core_pytorch; everything
runs on the CPU in fp32.

Without transformers/timm (e.g. Debian's torch 1.13), minimal stand-ins are installed: CLIPEncoder is then
weft_ref.vision's own CLIP layers, so the check covers the adapter code (spatial prior, injector, extractor,
deformable attention, the forward's wiring) but not the CLIP layers; check_clip.py covers those against
transformers.

The reference hard-codes 4 interaction blocks and accepts only 24 layers, so the check uses a narrow model
with 24 layers (width 32, 2 heads, 32 px images with 4 px patches: an 8x8 grid). Every parameter is
randomised, the weights are copied by name (this also checks that the state_dict names agree: only the
reference's position_ids buffer may differ), and the last hidden state and c1..c4 are compared.

Prints max abs diff per tensor; exits 1 above 1e-4, 0 (skipped) when the checkout is missing.
Seen with Debian's torch 1.13 and the stand-ins (MM-Interleaved@ac539d0): names identical (590 tensors), max abs
diff 5.7e-6 (last hidden), 2.4e-6 / 3.8e-6 / 5.7e-6 / 7.6e-6 (c1..c4), values up to ~17.
Run: cd engine/training && MMI_ROOT=/path/to/MM-Interleaved python library_checks/check_vit_adapter.py
"""
import os
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

TOL = 1e-4


def mmi_root():
    if "--mmi" in sys.argv:
        return sys.argv[sys.argv.index("--mmi") + 1]
    return os.environ.get("MMI_ROOT", "")


def install_stand_ins():
    """Fake transformers/timm modules with just what vit_adapter imports (used only when they are missing)."""
    import torch.nn as nn
    from weft_ref.vision import ClipEncoderLayer

    def mod(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class Output(types.SimpleNamespace):
        pass

    class CLIPVisionConfig(types.SimpleNamespace):
        def __init__(self, **kw):
            base = dict(num_channels=3, output_attentions=False, output_hidden_states=False, use_return_dict=True,
                        layer_norm_eps=1e-5, hidden_act="quick_gelu")
            base.update(kw)
            super().__init__(**base)

    class CLIPEncoder(nn.Module):
        def __init__(self, config):
            super().__init__()
            c = types.SimpleNamespace(hidden_size=config.hidden_size, num_heads=config.num_attention_heads,
                                      intermediate_size=config.intermediate_size, layer_norm_eps=config.layer_norm_eps)
            self.layers = nn.ModuleList([ClipEncoderLayer(c) for _ in range(config.num_hidden_layers)])

        def forward(self, inputs_embeds):
            h = inputs_embeds
            for layer in self.layers:
                h = layer(h)
            return Output(last_hidden_state=h)

    class CLIPPreTrainedModel(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.config = config

    def passthrough(*_a, **_k):
        return lambda f: f

    mod("transformers", CLIPVisionModel=None, CLIPTextModel=None)
    mod("transformers.modeling_outputs", BaseModelOutputWithPooling=Output)
    mod("transformers.models")
    mod("transformers.models.clip")
    mod("transformers.models.clip.configuration_clip", CLIPVisionConfig=CLIPVisionConfig)
    mod("transformers.models.clip.modeling_clip", CLIPEncoder=CLIPEncoder, CLIPPreTrainedModel=CLIPPreTrainedModel,
        CLIP_VISION_INPUTS_DOCSTRING="", CLIP_START_DOCSTRING="")
    mod("transformers.utils", add_start_docstrings=passthrough, add_start_docstrings_to_model_forward=passthrough,
        replace_return_docstrings=passthrough)
    mod("timm")
    mod("timm.models")
    mod("timm.models.layers", DropPath=nn.Identity)
    print("transformers/timm missing: using stand-ins (CLIP layers from weft_ref.vision)")


def import_reference(root):
    """Imports vit_adapter as a top-level package, papering over library-version drift (docstring helpers)."""
    import transformers.models.clip.modeling_clip as mc
    import transformers.utils as tu
    for name in ("CLIP_VISION_INPUTS_DOCSTRING", "CLIP_START_DOCSTRING"):
        if not hasattr(mc, name):
            setattr(mc, name, "")

    def passthrough(*_a, **_k):
        return lambda f: f

    for name in ("add_start_docstrings", "add_start_docstrings_to_model_forward", "replace_return_docstrings"):
        if not hasattr(tu, name):
            setattr(tu, name, passthrough)
    sys.modules.setdefault("MultiScaleDeformableAttention", types.ModuleType("MultiScaleDeformableAttention"))
    sys.path.insert(0, os.path.join(root, "mm_interleaved", "models", "encoders"))
    import vit_adapter.vit_adapter_hf as vah
    from vit_adapter.ops.functions import ms_deform_attn_func as f
    from vit_adapter.ops.modules import ms_deform_attn as m

    class PyTorchMSDA:
        @staticmethod
        def apply(value, shapes, _start, locations, weights, _step):
            return f.ms_deform_attn_core_pytorch(value, [(int(h), int(w)) for h, w in shapes], locations, weights)

    m.MSDeformAttnFunction = PyTorchMSDA
    return vah


def main():
    root = mmi_root()
    if not root or not os.path.isdir(os.path.join(root, "mm_interleaved")):
        print("SKIP check_vit_adapter: set MMI_ROOT (or --mmi) to an MM-Interleaved checkout")
        sys.exit(0)
    try:
        import timm  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        install_stand_ins()
    from transformers.models.clip.configuration_clip import CLIPVisionConfig
    vah = import_reference(root)

    from weft_ref import config
    from weft_ref.vision import ClipVisionAdapter
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures"))
    from export_vision import randomise

    vcfg = config.load("tiny").vision
    vcfg.num_layers, vcfg.interactions, vcfg.adapter_points = 24, 4, 4
    torch.manual_seed(0)
    ours = ClipVisionAdapter(vcfg).eval()
    randomise(ours)
    hf_cfg = CLIPVisionConfig(hidden_size=vcfg.hidden_size, intermediate_size=vcfg.intermediate_size,
                              num_hidden_layers=24, num_attention_heads=vcfg.num_heads,
                              image_size=vcfg.image_size, patch_size=vcfg.patch_size,
                              layer_norm_eps=vcfg.layer_norm_eps, hidden_act="quick_gelu")
    hf_cfg._attn_implementation = "eager"
    ref = vah.CLIPVisionTransformerAdapter(hf_cfg, conv_inplane=vcfg.conv_inplane, n_points=4).eval()
    ref.set_vis_embed_requires_grad(False)
    res = ref.load_state_dict(ours.state_dict(), strict=False)
    missing = [k for k in res.missing_keys if "position_ids" not in k]
    print(f"state_dict: {len(ours.state_dict())} tensors; reference missing {missing}, "
          f"unexpected {res.unexpected_keys}")
    ok = not missing and not res.unexpected_keys
    pixels = torch.randn(2, 3, vcfg.image_size, vcfg.image_size, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        last, feats = ours(pixels)
        out = ref(pixel_values=pixels, return_dict=True)
    pairs = [("last_hidden_state", last, out.last_hidden_state)]
    pairs += [(f"c{i + 1}", a, b) for i, (a, b) in enumerate(zip(feats, out.hidden_states))]
    for name, a, b in pairs:
        if a.shape != b.shape:
            print(f"FAIL {name}: shape {tuple(a.shape)} vs {tuple(b.shape)}")
            ok = False
            continue
        d = float((a - b).abs().max())
        ok &= d <= TOL
        print(f"{name:<20} maxdiff {d:.3e} (ref max |x| {float(b.abs().max()):.3e})")
    print("OK" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
