"""Training targets for EvalNet from the world's shards (docs/world-format.md).

Per picture: the RGB (128 x 128), the class map at 64 x 64 (the 128 x 128 map sampled at even rows and columns,
as dev.weft.engine.eval.EvalNet.downsampleLabels does), the colour map at 64 x 64 (each object pixel takes the
colour of the object of that class whose centre is nearest: two objects of one class never share a colour, and
objects barely overlap), and the style index.
"""
import numpy as np

from weft_train.world_data import WorldDataset

from .model import NO_COLOUR

COLOURS = ["red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "white", "gray"]
STYLES = ["flat", "watercolour", "pencil", "pixel", "neon"]


def downsample_labels(labels):
    """(..., 128, 128) -> (..., 64, 64): the label at every even row and column."""
    return labels[..., ::2, ::2]


def colour_map(cls64, objects):
    """Colour index per pixel (NO_COLOUR for the background) from the class map and the scene's objects."""
    out = np.full(cls64.shape, NO_COLOUR, dtype=np.uint8)
    ys, xs = np.mgrid[0:cls64.shape[0], 0:cls64.shape[1]]
    cx = 2 * xs + 0.5   # pixel centre of the sampled 128-px pixel
    cy = 2 * ys + 0.5
    for k in np.unique(cls64):
        if k == 0:
            continue
        objs = [o for o in objects if o["class_id"] == k]
        mask = cls64 == k
        if not objs:
            raise ValueError(f"class {k} in the map but no such object")
        d = np.stack([(cx - o["x"]) ** 2 + (cy - o["y"]) ** 2 for o in objs])   # (n, 64, 64)
        near = d.argmin(0)
        cols = np.array([COLOURS.index(o["colour"]) for o in objs], dtype=np.uint8)
        out[mask] = cols[near[mask]]
    return out


def load(directory, limit=None):
    """images (N, 128, 128, 3) uint8, cls (N, 64, 64) uint8, colour (N, 64, 64) uint8, style (N,) int64.

    `directory` is a world data set, or a file written by `pack` (to carry a data set to a machine without Java).
    """
    if directory.endswith(".npz"):
        z = np.load(directory)
        n = len(z["style"]) if not limit else min(limit, len(z["style"]))
        return z["images"][:n], z["cls"][:n], z["colour"][:n], z["style"][:n].astype(np.int64)
    ds = WorldDataset(directory)
    images, cls, col, style = [], [], [], []
    for rec in ds.records():
        for k, scene in enumerate(rec["scenes"]):
            lab = downsample_labels(rec["labels"][k])
            images.append(rec["pixels"][k])
            cls.append(lab)
            col.append(colour_map(lab, scene["objects"]))
            style.append(STYLES.index(scene["style"]))
            if limit and len(images) >= limit:
                break
        if limit and len(images) >= limit:
            break
    return (np.stack(images), np.stack(cls), np.stack(col), np.array(style, dtype=np.int64))


def pack(directory, out, limit=None):
    """Writes the targets of a data set to one compressed .npz (about 15 KB a picture)."""
    images, cls, col, style = load(directory, limit)
    np.savez_compressed(out, images=images, cls=cls, colour=col, style=style)
    return len(style)


if __name__ == "__main__":
    import sys
    print(pack(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None), "pictures packed")
