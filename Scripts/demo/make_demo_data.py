#!/usr/bin/env python3
"""Cuts the small real datasets that ship with xmask for `xmask demo` (Sources/xmask/DemoData).

Reads the gzip IDX files of ../shared/data (see its README for provenance and licences) and
writes stratified subsets, gzip IDX again, chosen with numpy's default_rng(2026) so the cut
is reproducible. Run from the repository root:

    python3 Scripts/demo/make_demo_data.py ../shared/data Sources/xmask/DemoData
"""
import gzip
import os
import struct
import sys

import numpy as np

SUBSETS = {  # dataset: (train images, test images); optdigits ships whole (1442 / 355)
    "fashion-mnist": (6000, 1000),
    "mnist": (3000, 1000),
    "animal-mnist": (3000, 1000),
    "optdigits": (None, None),
}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return magic, np.frombuffer(data[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)


def write_idx(path, magic, array):
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * array.ndim, *array.shape)
    # mtime=0 keeps the gzip bytes reproducible.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as f:
        f.write(header + array.astype(np.uint8).tobytes())


def stratified(labels, total, rng):
    classes = np.unique(labels)
    per = total // len(classes)
    chosen = []
    for c in classes:
        idx = np.flatnonzero(labels == c)
        chosen.extend(rng.choice(idx, size=min(per, len(idx)), replace=False))
    return np.sort(np.array(chosen))


def main(src, dst):
    rng = np.random.default_rng(2026)
    for name, (n_train, n_test) in SUBSETS.items():
        os.makedirs(os.path.join(dst, name), exist_ok=True)
        for split, n in (("train", n_train), ("t10k", n_test)):
            mi, images = read_idx(os.path.join(src, name, f"{split}-images-idx3-ubyte.gz"))
            ml, labels = read_idx(os.path.join(src, name, f"{split}-labels-idx1-ubyte.gz"))
            keep = np.arange(len(labels)) if n is None else stratified(labels, n, rng)
            write_idx(os.path.join(dst, name, f"{split}-images-idx3-ubyte.gz"), mi, images[keep])
            write_idx(os.path.join(dst, name, f"{split}-labels-idx1-ubyte.gz"), ml, labels[keep])
            print(f"{name}/{split}: {len(keep)} of {len(labels)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
