"""Training documents from the procedural world: the task mix, token layout and loss masks (notes 1.5, 1.7, 1.8).

Every document is one row ``<s> ... </s>`` (no packing), in the formats the engine's prompts use (Engine.java):

| task | document | diffusion loss on | text loss on |
|---|---|---|---|
| ``t2i`` | ``<s>{caption}<boi>[picture]</s>`` | the picture | caption, ``<boi>``, ``</s>`` |
| ``i2t`` | ``<s><boi>[picture]{caption}</s>`` (30 %: ``a photo of`` before the caption, as `weft caption` prompts; with this vocabulary it reads ``a <unk> <unk>``, not trained) | - (context ``<s><boi>`` only) | caption, ``</s>`` |
| ``story`` | ``<s>{s0}<boi>[p0]{s1}<boi>[p1]...</s>`` | every picture | every sentence, ``<boi>``, ``</s>`` |
| ``map`` | ``<s><boi>[map]{caption}<boi>[picture]</s>`` (20 % without caption) | the picture (MMFSNet reads the map) | ``</s>`` |
| ``style`` | ``<s><boi>[reference]{caption}<boi>[picture]</s>``, the reference another picture of the same style, the caption's style phrase dropped 70 % of the time | the picture (MMFSNet reads the reference) | ``</s>`` |

An image is ``<|beginofimage|>`` followed by K ``<|image|>`` tokens. Text loss ignores (notes 1.8) pad, ``<|image|>``
and ``<s>`` targets and the ``<s>`` -> ``<|beginofimage|>`` transition, plus the spans marked untrained above (the map
and style captions are conditions, not text the model should learn to write after those images). The diffusion loss
applies to pictures whose context (``<s>`` .. their ``<|beginofimage|>``) is longer than 2 tokens, as the reference's
``context_attention_mask.sum() > 2``; their MMFSNet condition is the previous image of the row (none for the first).

numpy only: the batches are assembled on the CPU and moved to the device by ``train.py``.
"""
import numpy as np

TASKS = ("t2i", "i2t", "story", "map", "style")
DEFAULT_MIX = {"t2i": 0.30, "i2t": 0.15, "story": 0.25, "map": 0.15, "style": 0.15}
STYLE_WORDS = ("flat", "watercolour", "pencil", "pixel", "neon")
PIC, MAP = 0, 1


class Tokens:
    def __init__(self, vocab):
        self.bos, self.eos, self.pad = vocab.bos, vocab.eos, vocab.pad
        self.boi, self.image, self.unk = vocab.boi, vocab.image, vocab.unk
        self.comma = vocab.ids[","]
        self.in_ = vocab.ids["in"]
        self.style_ids = {vocab.ids[w] for w in STYLE_WORDS}
        self.photo_prompt = vocab.encode("a photo of")     # [a, <unk>, <unk>] with the world vocabulary


class Catalogue:
    """Index of a WorldDataset's pictures: global image number, caption tokens, style; stories; pictures by style.

    Global image numbers count the rows of all shards in order (the row order of ``GpuWorld``'s arrays)."""

    def __init__(self, ds):
        self.captions, self.styles = [], []
        self.stories = []                                   # (global pictures, sentence tokens)
        styles = ds.manifest["attributes"]["styles"]
        base = 0
        for name in ds.shard_names:
            sh = ds.shard(name)
            for rec in sh.records:
                rows = [base + r for r in rec["images"]]
                for k, r in enumerate(rows):
                    while len(self.captions) <= r:
                        self.captions.append(None)
                        self.styles.append(-1)
                    self.captions[r] = list(rec["caption_tokens"][k])
                    self.styles[r] = styles.index(_style_key(rec["scenes"][k]["style"]))
                if rec["kind"] == "story":
                    self.stories.append((rows, [list(s) for s in rec["sentence_tokens"]]))
            base += sh.images.shape[0]
        self.num_images = base
        self.styles = np.array(self.styles)
        self.by_style = [np.nonzero(self.styles == s)[0] for s in range(len(styles))]


def _style_key(s):
    return "pixel" if s.startswith("pixel") else s


def strip_style(tok, caption):
    """Drops ", in <style words>" before the final "." (the caption grammar's optional style phrase)."""
    for i in range(len(caption) - 2, 0, -1):
        if caption[i] == tok.comma and i + 2 < len(caption) and caption[i + 1] == tok.in_ \
                and caption[i + 2] in tok.style_ids:
            return caption[:i] + caption[-1:]
    return caption


class Doc:
    """One training row: ids, per-position "train this as a target" flags, images (kind, global index, boi pos)."""

    def __init__(self, tok, k, task):
        self.tok, self.k, self.task = tok, k, task
        self.ids, self.train, self.images = [tok.bos], [0], []

    def text(self, toks, train=True):
        self.ids += list(toks)
        self.train += [int(train)] * len(toks)

    def image(self, kind, index, train_boi=True):
        self.images.append((kind, int(index), len(self.ids)))
        self.ids.append(self.tok.boi)
        self.train.append(int(train_boi))
        self.ids += [self.tok.image] * self.k
        self.train += [0] * self.k

    def end(self):
        self.ids.append(self.tok.eos)
        self.train.append(1)
        return self


class Mixer:
    """Draws documents of each task from a Catalogue with a numpy Generator."""

    def __init__(self, cat, tok, k, mix=None, seed=0):
        self.cat, self.tok, self.k = cat, tok, k
        mix = dict(mix or DEFAULT_MIX)
        if not cat.stories:
            mix["story"] = 0.0
        self.tasks = [t for t in TASKS if mix.get(t, 0) > 0]
        p = np.array([mix[t] for t in self.tasks], dtype=np.float64)
        self.p = p / p.sum()
        self.rng = np.random.default_rng(seed)

    def picture(self):
        return int(self.rng.integers(self.cat.num_images))

    def doc(self, task=None):
        task = task or self.tasks[self.rng.choice(len(self.tasks), p=self.p)]
        tok, cat, r = self.tok, self.cat, self.rng
        d = Doc(tok, self.k, task)
        if task == "t2i":
            p = self.picture()
            d.text(cat.captions[p])
            d.image(PIC, p)
        elif task == "i2t":
            p = self.picture()
            d.image(PIC, p)
            if r.random() < 0.3:
                d.text(tok.photo_prompt, train=False)
            d.text(cat.captions[p])
        elif task == "story":
            pics, sents = cat.stories[int(r.integers(len(cat.stories)))]
            for p, s in zip(pics, sents):
                d.text(s)
                d.image(PIC, p)
        elif task == "map":
            p = self.picture()
            d.image(MAP, p, train_boi=False)
            if r.random() < 0.8:
                d.text(cat.captions[p], train=False)
            d.image(PIC, p, train_boi=False)
        elif task == "style":
            p = self.picture()
            same = cat.by_style[cat.styles[p]]
            ref = int(same[r.integers(len(same))])
            if ref == p and len(same) > 1:
                ref = int(same[(np.searchsorted(same, p) + 1) % len(same)])
            d.image(PIC, ref, train_boi=False)
            c = cat.captions[p]
            d.text(strip_style(tok, c) if r.random() < 0.7 else c, train=False)
            d.image(PIC, p, train_boi=False)
        else:
            raise ValueError(task)
        return d.end()

    def docs(self, n):
        return [self.doc() for _ in range(n)]


def collate(docs, tok, pad_to=8):
    """Docs -> numpy arrays (see train.Batch): ids (B, T), loss mask (B, T-1) for targets ids[:, 1:], cross mask
    (B, T, N), the images in row-major order, the diffusion targets."""
    b = len(docs)
    t = max(len(d.ids) for d in docs)
    t = (t + pad_to - 1) // pad_to * pad_to
    n = max(1, max(len(d.images) for d in docs))
    ids = np.full((b, t), tok.pad, dtype=np.int64)
    train = np.zeros((b, t), dtype=np.float32)
    cross = np.zeros((b, t, n), dtype=np.float32)
    slot = np.full((b, n), -1, dtype=np.int64)               # image number in the batch of (row, slot)
    img_kind, img_index = [], []
    tg_row, tg_boi, tg_img, tg_prev, tg_task = [], [], [], [], []
    for i, d in enumerate(docs):
        ids[i, :len(d.ids)] = d.ids
        train[i, :len(d.train)] = d.train
        prev = -1
        for s, (kind, index, boi) in enumerate(d.images):
            j = len(img_kind)
            img_kind.append(kind)
            img_index.append(index)
            slot[i, s] = j
            cross[i, boi + 1:, s] = 1.0       # visible from its first <|image|> on (nearest <s> is position 0)
            if kind == PIC and boi + 1 > 2:
                tg_row.append(i)
                tg_boi.append(boi)
                tg_img.append(j)
                tg_prev.append(prev)
                tg_task.append(TASKS.index(d.task))
            prev = j
    tgt = ids[:, 1:]
    inp = ids[:, :-1]
    mask = train[:, 1:].copy()
    mask[(tgt == tok.pad) | (tgt == tok.image) | (tgt == tok.bos)] = 0
    mask[(inp == tok.bos) & (tgt == tok.boi)] = 0
    task = np.array([TASKS.index(d.task) for d in docs], dtype=np.int64)
    a = lambda x: np.array(x, dtype=np.int64)  # noqa: E731
    return dict(ids=ids, loss_mask=mask, cross=cross, slot=slot, img_kind=a(img_kind), img_index=a(img_index),
                tg_row=a(tg_row), tg_boi=a(tg_boi), tg_img=a(tg_img), tg_prev=a(tg_prev), tg_task=a(tg_task),
                task=task)
