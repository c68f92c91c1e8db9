#!/usr/bin/env python3
"""Converts the IDX datasets of ../shared/data into the other formats `xmask adapt --data` reads,
for the real runs of BENCHMARKS.md (stdlib + numpy; the PNG writer is the fixture script's).

    python3 Scripts/formats/make_real_formats.py [DATA_DIR] [OUT_DIR]   # defaults: /work/shared/data /tmp/xmask-formats

Writes under OUT_DIR:
  mnist.npz          Keras layout, MNIST as published: x_* uint8 [N, 28, 28], y_* uint8 [N]
  animal-mnist-png/  ImageFolder: {train,test}/<animal>/<index>.png, 8-bit grey 28x28
  mnist-cifar10/     CIFAR-10 binary: MNIST zero-padded to 32x32, grey replicated to RGB;
                     data_batch_1..5.bin hold the first 10,000 training images (2,000 each),
                     test_batch.bin all 10,000 test images
  fmnist32.npz       Keras layout, Fashion-MNIST padded to [N, 32, 32, 3] uint8: the first
                     10,000 training images and all 10,000 test images (the PyTorch backbone's data)
"""
import gzip
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from make_format_fixtures import png  # noqa: E402

DATA = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"
OUT = sys.argv[2] if len(sys.argv) > 2 else "/tmp/xmask-formats"
ANIMALS = ["bear", "bird", "cat", "cow", "dog", "elephant", "giraffe", "horse", "sheep", "zebra"]


def idx(path):
    raw = gzip.open(path).read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(name):
    d = os.path.join(DATA, name)
    return (idx(f"{d}/train-images-idx3-ubyte.gz"), idx(f"{d}/train-labels-idx1-ubyte.gz"),
            idx(f"{d}/t10k-images-idx3-ubyte.gz"), idx(f"{d}/t10k-labels-idx1-ubyte.gz"))


def pad32_rgb(x):
    p = np.pad(x, ((0, 0), (2, 2), (2, 2)))
    return np.repeat(p[:, :, :, None], 3, axis=3)  # [N, 32, 32, 3]


def main():
    os.makedirs(OUT, exist_ok=True)
    xtr, ytr, xte, yte = load("mnist")
    np.savez(os.path.join(OUT, "mnist.npz"), x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)

    xtr, ytr, xte, yte = load("animal-mnist")
    for split, xs, ys in [("train", xtr, ytr), ("test", xte, yte)]:
        for i, (x, y) in enumerate(zip(xs, ys)):
            path = os.path.join(OUT, "animal-mnist-png", split, ANIMALS[y], f"{i:05d}.png")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(png(28, 28, 8, 0, [r.tobytes() for r in x], [0, 1, 2, 3, 4], 1, level=6))

    xtr, ytr, xte, yte = load("mnist")
    d = os.path.join(OUT, "mnist-cifar10")
    os.makedirs(d, exist_ok=True)

    def records(x, y):
        chw = pad32_rgb(x).transpose(0, 3, 1, 2).reshape(len(x), -1)
        return np.concatenate([y.astype(np.uint8)[:, None], chw], axis=1).tobytes()

    for b in range(5):
        sl = slice(2000 * b, 2000 * (b + 1))
        open(os.path.join(d, f"data_batch_{b + 1}.bin"), "wb").write(records(xtr[sl], ytr[sl]))
    open(os.path.join(d, "test_batch.bin"), "wb").write(records(xte, yte))

    xtr, ytr, xte, yte = load("fashion-mnist")
    np.savez(os.path.join(OUT, "fmnist32.npz"), x_train=pad32_rgb(xtr[:10000]), y_train=ytr[:10000],
             x_test=pad32_rgb(xte), y_test=yte)


if __name__ == "__main__":
    main()
