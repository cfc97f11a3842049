"""Model configs, read from the JSON the Java presets write (engine/training/configs/*.json).

The Java records in dev.weft.engine.config are the source of truth; ConfigPresetsTest keeps these files equal to
them. Derived sizes are computed here exactly as the Java methods of the same names do.
"""
import json
import os
from types import SimpleNamespace

CONFIG_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "configs")


def _ns(d):
    if isinstance(d, dict):
        return SimpleNamespace(**{k: _ns(v) for k, v in d.items()})
    if isinstance(d, list):
        return [_ns(v) for v in d]
    return d


def load(name_or_path):
    path = name_or_path if name_or_path.endswith(".json") else os.path.join(CONFIG_DIR, name_or_path + ".json")
    with open(path) as f:
        return _ns(json.load(f))


# derived sizes (mirror VisionConfig / UNetConfig / VaeConfig / LlmConfig methods)
def grid(vision):
    return vision.image_size // vision.patch_size


def spm_image_size(vision):
    return grid(vision) * 16


def feature_sizes(vision):
    s = spm_image_size(vision)
    return [s // 4, s // 8, s // 16, s // 32]


def interaction_indexes(vision):
    per = vision.num_layers // vision.interactions
    return [[i * per, i * per + per - 1] for i in range(vision.interactions)]


def head_dim(llm):
    return llm.hidden_size // llm.num_heads


def has_mmfs(llm, layer):
    return layer % llm.mmfs_every == 0


def time_embed_dim(unet):
    return unet.block_out_channels[0] * 4


def num_down_skips(unet):
    n = len(unet.block_out_channels)
    return 1 + n * unet.layers_per_block + (n - 1)


def vae_factor(vae):
    return 2 ** (len(vae.block_out_channels) - 1)
