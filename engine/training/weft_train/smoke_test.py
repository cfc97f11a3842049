"""CPU smoke test of the trainer (torch 1.13 or 2.x): both stages for two steps on the 3-record sample, previews,
the fp16 weights written, a resume from them, and two data-parallel ranks that stay in sync. Runs in a few minutes:

    /usr/bin/python3 engine/training/weft_train/smoke_test.py [CONFIG]

CONFIG is a name in engine/training/configs or a .json path (default weft-small); every training call uses it, e.g.
weft-small-v2 to check that a candidate architecture builds, steps in both stages, writes its fp16 weights and
resumes from them.
"""
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from weft_train import train  # noqa: E402
from weft_train.docs import Mixer, Tokens, collate, strip_style  # noqa: E402
from weft_train.world_data import WorldDataset  # noqa: E402
from weft_train.docs import Catalogue  # noqa: E402

SAMPLE = os.path.join(HERE, "testdata", "world-sample")


def check_docs():
    ds = WorldDataset(SAMPLE)
    tok = Tokens(ds.vocab)
    cat = Catalogue(ds)
    assert cat.num_images == 6 and len(cat.stories) == 1, (cat.num_images, len(cat.stories))
    c = ds.vocab.encode("a red circle on grass, in pixel art.")
    assert strip_style(tok, c) == ds.vocab.encode("a red circle on grass."), strip_style(tok, c)
    m = Mixer(cat, tok, 4, seed=1)
    for task in ("t2i", "i2t", "story", "map", "style"):
        a = collate([m.doc(task)], tok)
        ids, mask = a["ids"][0], a["loss_mask"][0]
        # never trained: targets <|image|>, <s>, pad, and <s> -> <|beginofimage|>
        assert not ((ids[1:] == tok.image) & (mask > 0)).any()
        assert not ((ids[:-1] == tok.bos) & (ids[1:] == tok.boi) & (mask > 0)).any()
        n_img = len(a["img_kind"])
        expect = {"t2i": 1, "i2t": 0, "story": n_img, "map": 1, "style": 1}[task]
        assert len(a["tg_row"]) == expect, (task, a["tg_row"])
        # an image is visible to MMFS from its first <|image|> on
        boi = [i for i, v in enumerate(ids) if v == tok.boi]
        for s, p in enumerate(boi):
            assert a["cross"][0, p, s] == 0 and a["cross"][0, p + 1, s] == 1
        print(task, "ids", len(ids), "images", n_img, "targets", len(a["tg_row"]), "trained tokens", int(mask.sum()))


def main(config="weft-small"):
    check_docs()
    print("config:", config)
    tmp = tempfile.mkdtemp(prefix="weft-smoke-")
    try:
        ck, out = os.path.join(tmp, "ckpt"), os.path.join(tmp, "out")
        common = ["--data", SAMPLE, "--config", config, "--ckpt", ck, "--out", out, "--device", "cpu",
                  "--max-steps", "2", "--log-every", "1", "--preview-steps", "2"]
        train.main(common + ["--stage", "vae", "--batch", "2"])
        meta = json.load(open(os.path.join(out, "meta.json")))
        assert meta["scale"] > 0 and meta["stage_steps"]["vae"] == 2, meta
        train.main(common + ["--stage", "joint", "--batch", "4"])
        files = sorted(os.listdir(out))
        print("out:", files)
        assert "preview-joint.png" in files and "preview-vae.png" in files and "preview-captions.txt" in files
        logs = [f for f in files if f.startswith("log-joint")]
        rec = [json.loads(line) for line in open(os.path.join(out, logs[0]))]
        assert rec[-1]["step"] == 4 and rec[-1]["ce"] > 0 and rec[-1]["mse"] > 0, rec[-1]
        # resume from the carried fp16 weights (no last.pt)
        carried = os.path.join(tmp, "carried")
        shutil.copytree(out, carried)
        shutil.rmtree(ck)
        train.main(["--data", SAMPLE, "--config", config, "--ckpt", ck, "--carried", carried,
                    "--out", os.path.join(tmp, "out2"), "--device", "cpu", "--max-steps", "1", "--stage", "joint",
                    "--batch", "2", "--log-every", "1", "--preview-steps", "1"])
        meta = json.load(open(os.path.join(tmp, "out2", "meta.json")))
        assert meta["step"] == 5, meta
        check_data_parallel(os.path.join(tmp, "ddp"), config)
        print("smoke test passed")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_data_parallel(tmp, config="weft-small", ranks=2):
    """Two CPU ranks (gloo) of the VAE stage for three steps: they must end with identical weights. Started by hand
    with torchrun's environment variables, since Debian's torch 1.13 torchrun does not start under Python 3.11."""
    import socket
    import subprocess
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    procs = []
    for r in range(ranks):
        env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(r), LOCAL_RANK=str(r),
                   WORLD_SIZE=str(ranks))
        procs.append(subprocess.Popen(
            [sys.executable, os.path.join(HERE, "train.py"), "--data", SAMPLE, "--config", config,
             "--ckpt", os.path.join(tmp, "ck"),
             "--out", os.path.join(tmp, "out"), "--device", "cpu", "--max-steps", "3", "--log-every", "1",
             "--stage", "vae", "--batch", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outs = [p.communicate(timeout=600)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    sync = [line for line in outs[0].splitlines() if "weights in sync" in line]
    assert sync and sync[0].endswith(" 0"), outs[0]
    print("data-parallel:", sync[0])


if __name__ == "__main__":
    main(*sys.argv[1:2])
