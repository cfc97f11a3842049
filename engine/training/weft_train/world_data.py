"""Reads the procedural world's training shards (format: docs/world-format.md) with numpy only.

    from weft_train.world_data import WorldDataset
    ds = WorldDataset("data/world")
    for rec in ds.records():                 # dicts from the .jsonl, plus two arrays:
        rec["pixels"]                        # uint8 (K, 128, 128, 3) RGB, one per picture of the record
        rec["labels"]                        # uint8 (K, 128, 128) class id per pixel (0 background)
    ds.colourise(rec["labels"][0])           # uint8 (128, 128, 3) colour-coded map (the segment task's input)

Shards are memory-mapped, so a data set larger than memory reads fine; `Shard.images` / `Shard.maps` are the
whole arrays (row r of both is the picture and map of image r of the shard).
"""
import json
import os
import re

import numpy as np

FORMAT = "weft-world"
VERSION = 1


class Shard:
    """One shard: `images` (N, H, W, 3) uint8, `maps` (N, H, W) uint8 and `records` (list of dicts)."""

    def __init__(self, directory, name, mmap=True):
        base = os.path.join(directory, name)
        mode = "r" if mmap else None
        self.name = name
        self.images = np.load(base + ".images.npy", mmap_mode=mode, allow_pickle=False)
        self.maps = np.load(base + ".maps.npy", mmap_mode=mode, allow_pickle=False)
        with open(base + ".jsonl", encoding="utf-8") as f:
            self.records = [json.loads(line) for line in f if line.strip()]
        if self.images.dtype != np.uint8 or self.images.ndim != 4 or self.images.shape[3] != 3:
            raise ValueError(f"{base}.images.npy: expected uint8 (N, H, W, 3), found {self.images.dtype} "
                             f"{self.images.shape}")
        if self.maps.dtype != np.uint8 or self.maps.shape != self.images.shape[:3]:
            raise ValueError(f"{base}.maps.npy: expected uint8 {self.images.shape[:3]}, found {self.maps.dtype} "
                             f"{self.maps.shape}")

    def __len__(self):
        return len(self.records)

    def __getitem__(self, i):
        """Record i with its pictures ("pixels") and maps ("labels") as arrays."""
        rec = dict(self.records[i])
        rows = rec["images"]
        rec["pixels"] = np.asarray(self.images[rows[0]:rows[-1] + 1])
        rec["labels"] = np.asarray(self.maps[rows[0]:rows[-1] + 1])
        return rec


class WorldDataset:
    """A generated data set: `manifest.json`, `tokenizer.json`, `palette.json` and the shards."""

    def __init__(self, directory, mmap=True):
        self.directory = directory
        self.mmap = mmap
        with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as f:
            self.manifest = json.load(f)
        if self.manifest.get("format") != FORMAT or self.manifest.get("version") != VERSION:
            raise ValueError(f"{directory}: not a {FORMAT} v{VERSION} data set "
                             f"({self.manifest.get('format')} v{self.manifest.get('version')})")
        self.palette = np.array([c["rgb"] for c in self.manifest["palette"]], dtype=np.uint8)
        self.class_names = [c["name"] for c in self.manifest["palette"]]
        self.vocab = Vocabulary(os.path.join(directory, "tokenizer.json"))

    @property
    def shard_names(self):
        return [s["name"] for s in self.manifest["shards"]]

    def shard(self, name_or_index):
        name = self.shard_names[name_or_index] if isinstance(name_or_index, int) else name_or_index
        return Shard(self.directory, name, self.mmap)

    def records(self):
        """Every record of every shard, in order, with "pixels" and "labels" arrays."""
        for name in self.shard_names:
            sh = self.shard(name)
            for i in range(len(sh)):
                yield sh[i]

    def __len__(self):
        return int(self.manifest["records"])

    def colourise(self, labels):
        """Class ids (..., H, W) to the colour-coded map (..., H, W, 3) uint8."""
        return self.palette[labels]

    def decode_map(self, rgb):
        """A colour-coded map (H, W, 3) back to class ids: nearest palette colour per pixel."""
        d = ((rgb[..., None, :].astype(np.int32) - self.palette.astype(np.int32)) ** 2).sum(-1)
        return d.argmin(-1).astype(np.uint8)


class Vocabulary:
    """The word-level tokenizer of tokenizer.json, as the engine applies it: lower case, then words and runs of
    punctuation (HuggingFace's Whitespace pre-tokenizer), one id per word, <unk> for the rest."""

    PRE_TOKEN = re.compile(r"\w+|[^\w\s]+")

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            tok = json.load(f)
        self.ids = tok["model"]["vocab"]
        self.words = {i: w for w, i in self.ids.items()}
        self.size = len(self.ids)
        self.unk = self.ids["<unk>"]
        self.bos = self.ids["<s>"]
        self.eos = self.ids["</s>"]
        self.pad = self.ids["<pad>"]
        self.boi = self.ids["<|beginofimage|>"]
        self.image = self.ids["<|image|>"]

    def encode(self, text):
        return [self.ids.get(w, self.unk) for w in self.PRE_TOKEN.findall(text.lower())]

    def decode(self, ids):
        out = ""
        for i in ids:
            w = self.words.get(int(i), "")
            if w.startswith("<") and w.endswith(">"):
                continue
            out += w if (w in (".", ",") or not out) else " " + w
        return out
