"""Checks a world data set with the numpy reader. Runs with Debian's python3 (numpy only):

    /usr/bin/python3 engine/training/weft_train/test_world_data.py [DATA_DIR]

Without DATA_DIR it reads the small sample in testdata/world-sample (written by the Java generator; the engine's
WorldDataTest regenerates a fresh set and runs this script on it too). Exits non-zero on the first failure.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from weft_train.world_data import WorldDataset  # noqa: E402
from weft_train.world_grammar import WorldGrammar  # noqa: E402


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def main(directory):
    ds = WorldDataset(directory)
    m = ds.manifest
    check(ds.palette.shape == (13, 3) and ds.class_names[0] == "background", "palette: 13 classes, 0 background")
    check(ds.vocab.size == m["vocab_size"], "vocab size matches the manifest")
    check(ds.vocab.boi == ds.vocab.size - 2 and ds.vocab.image == ds.vocab.size - 1, "image tokens last")
    grammar = WorldGrammar.from_dataset(directory)
    check(not grammar.parses("a circle red.") and grammar.parses("then it becomes blue."), "grammar basics")
    kinds = {}
    n_records = 0
    n_images = 0
    for name in ds.shard_names:
        sh = ds.shard(name)
        expected_row = 0
        for i in range(len(sh)):
            rec = sh[i]
            n_records += 1
            k = len(rec["images"])
            kinds[rec["kind"]] = kinds.get(rec["kind"], 0) + 1
            # rows are consecutive and one per scene, caption and token list
            check(rec["images"] == list(range(expected_row, expected_row + k)), f"{name}/{i}: contiguous rows")
            expected_row += k
            check(len(rec["scenes"]) == k == len(rec["captions"]) == len(rec["caption_tokens"]),
                  f"{name}/{i}: one scene, caption and token list per picture")
            check(rec["pixels"].shape == (k, 128, 128, 3) and rec["labels"].shape == (k, 128, 128),
                  f"{name}/{i}: array shapes")
            for text in rec["captions"] + rec.get("sentences", []):
                check(grammar.parses(text), f"{name}/{i}: {text!r} parses")
            check(grammar.parse_share(" ".join(rec["captions"])) == 1.0, f"{name}/{i}: parse share")
            for cap, toks in zip(rec["captions"], rec["caption_tokens"]):
                check(ds.vocab.encode(cap) == toks, f"{name}/{i}: token ids of {cap!r}")
                check(ds.vocab.unk not in toks, f"{name}/{i}: no unknown words in {cap!r}")
                check(ds.vocab.decode(toks) == cap, f"{name}/{i}: decode round trip of {cap!r}")
            for j, sc in enumerate(rec["scenes"]):
                present = set(np.unique(rec["labels"][j]).tolist())
                wanted = {o["class_id"] for o in sc["objects"]}
                check(present <= wanted | {0}, f"{name}/{i}/{j}: map holds only the scene's classes")
                check(wanted <= present, f"{name}/{i}/{j}: every object is visible in the map")
                check(rec["pixels"][j].std() > 5, f"{name}/{i}/{j}: picture is not blank")
            if rec["kind"] == "style":
                a, b = rec["scenes"]
                check(a["objects"] == b["objects"] and a["background"] == b["background"]
                      and a["style"] != b["style"], f"{name}/{i}: same content, different style")
                check(np.array_equal(rec["labels"][0] > 0, rec["labels"][1] > 0) or a["style"] in ("pixel", "watercolour")
                      or b["style"] in ("pixel", "watercolour"), f"{name}/{i}: same silhouettes")
            if rec["kind"] == "story":
                check(3 <= k <= 6, f"{name}/{i}: 3-6 scenes")
                check(len(rec["sentences"]) == k and len(rec["events"]) == k and rec["events"][0] is None,
                      f"{name}/{i}: one sentence per scene")
                check(rec["sentences"][0] == rec["captions"][0], f"{name}/{i}: the story opens with a caption")
                check(len({s["style"] for s in rec["scenes"]}) == 1, f"{name}/{i}: one style per story")
                for t in range(1, k):
                    ev = rec["events"][t]
                    before = {o["id"]: o for o in rec["scenes"][t - 1]["objects"]}
                    after = {o["id"]: o for o in rec["scenes"][t]["objects"]}
                    verb = {"move": "moves", "become": "becomes", "grow": "grows", "shrink": "shrinks", "appear": "appears",
                            "disappear": "disappears"}[ev["type"]]
                    check(verb in ds.vocab.PRE_TOKEN.findall(rec["sentences"][t]), f"{name}/{i}/{t}: the event's verb")
                    check(ds.vocab.encode(rec["sentences"][t]) == rec["sentence_tokens"][t], f"{name}/{i}: tokens")
                    for oid in set(before) & set(after):
                        check(before[oid]["class"] == after[oid]["class"], f"{name}/{i}: identity keeps class")
                    key = {"move": "position", "become": "colour", "grow": "size", "shrink": "size"}.get(ev["type"])
                    if key:
                        check(before[ev["object"]][key] == ev["from"] and after[ev["object"]][key] == ev["to"],
                              f"{name}/{i}/{t}: {ev['type']} changes {key}")
                    elif ev["type"] == "appear":
                        check(ev["object"] in after and ev["object"] not in before, f"{name}/{i}/{t}: appears")
                    else:
                        check(ev["object"] in before and ev["object"] not in after, f"{name}/{i}/{t}: disappears")
        check(expected_row == sh.images.shape[0], f"{name}: every row belongs to a record")
        n_images += sh.images.shape[0]
    check(n_records == m["records"] == len(ds), "record count")
    check(n_images == m["images"], "image count")
    first = next(ds.records())
    col = ds.colourise(first["labels"][0])
    check(col.shape == (128, 128, 3) and np.array_equal(ds.decode_map(col), first["labels"][0]),
          "colourise / decode_map round trip")
    print(f"world data OK: {n_records} records ({kinds}), {n_images} images in {len(ds.shard_names)} shards")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "testdata", "world-sample"))
