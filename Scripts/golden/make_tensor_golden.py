#!/usr/bin/env python3
"""Reference values for XMaskTensor's ops, written as small safetensors files.

Run once, offline, from the repository root:

    PY=$(/work/shared/bench/torch-venv.sh)   # CPU torch venv
    "$PY" -m pip install safetensors==0.8.0   # the Hugging Face writer
    "$PY" Scripts/golden/make_tensor_golden.py

It writes Tests/XMaskTensorTests/Golden/*.safetensors. Never re-run it to make failing tests
pass: the files are PyTorch's answers, not ours. Every file's __metadata__ records the torch
and safetensors versions and this script's path.

Conventions (read by Tests/XMaskTensorTests/TorchReferenceTests.swift):
- one file per op family; the metadata field "cases" lists the case names, comma-separated;
- tensors are "<case>.<name>", parameters are metadata fields "<case>.<param>";
- inputs are float32 draws from a fixed seed; the op and its gradients are evaluated in
  float64 from those float32 values and stored rounded to float32 (so the files hold the
  true answer for the stored inputs, not float32 round-off of one particular kernel);
- every case has a random "cotangent" of the output's shape, and "grad_<input>" is
  d<output, cotangent>/d<input> (not all-ones: that would hide transposition bugs).

dtypes.safetensors holds one small tensor per dtype with values the Swift test spells out,
to check the reader on a file written by the Hugging Face library.
"""

import json
import os
import struct
import sys

import torch
import torch.nn.functional as F
import safetensors
from safetensors.torch import load_file, save

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "XMaskTensorTests", "Golden")
GENERATOR = "Scripts/golden/make_tensor_golden.py"


def base_metadata(description):
    return {
        "generator": GENERATOR,
        "torch": torch.__version__,
        "safetensors": safetensors.__version__,
        "description": description,
    }


def draw(gen, *shape, low=-1.0, high=1.0):
    """float32 uniform draw in [low, high), returned as float64 for the computation."""
    x = torch.rand(tuple(shape), generator=gen, dtype=torch.float32) * (high - low) + low
    return x.to(torch.float64)


def write_safetensors(path, tensors, metadata):
    """Writes with the Hugging Face library, then lists __metadata__ in sorted key order.

    The library keeps metadata in a Rust HashMap, so its order (and the file's bytes) would
    change from run to run; sorting only reorders the header, whose length stays the same.
    The file is read back with the library and compared before the function returns.
    """
    data = bytearray(save(tensors, metadata=metadata))
    (n,) = struct.unpack("<Q", bytes(data[:8]))
    header = json.loads(data[8:8 + n])
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (n - len(text))
    assert len(text) == n, "header grew while reordering metadata"
    data[8:8 + n] = text
    with open(path, "wb") as f:
        f.write(bytes(data))
    back = load_file(path)
    assert back.keys() == tensors.keys() and all(torch.equal(back[k], tensors[k]) for k in tensors)
    print(f"{os.path.relpath(path, ROOT)}: {len(data)} bytes")


def f32(t):
    return t.detach().to(torch.float32).contiguous()


def vjp(fn, inputs, cotangent):
    """Output of fn(*inputs) and d<out, cotangent>/d input for each input."""
    leaves = [x.detach().clone().requires_grad_(True) for x in inputs]
    out = fn(*leaves)
    grads = torch.autograd.grad(out, leaves, grad_outputs=cotangent)
    return out.detach(), [g.detach() for g in grads]


class Writer:
    def __init__(self, name, description):
        self.name = name
        self.tensors = {}
        self.metadata = base_metadata(description)
        self.cases = []

    def case(self, case, params, tensors):
        self.cases.append(case)
        for k, v in params.items():
            self.metadata[f"{case}.{k}"] = str(v)
        for k, v in tensors.items():
            self.tensors[f"{case}.{k}"] = v if v.dtype in (torch.int64,) else f32(v)

    def save(self):
        self.metadata["cases"] = ",".join(self.cases)
        write_safetensors(os.path.join(OUT, self.name), self.tensors, self.metadata)


def conv2d_cases():
    w = Writer("conv2d.safetensors", "conv2d forward and vector-Jacobian products")
    # (name, N, Cin, H, W, Cout, k, stride, padding, bias)
    specs = [
        ("k3_s1_p1_bias", 2, 3, 7, 5, 4, 3, 1, 1, True),
        ("k3_s2_p1_nobias", 2, 3, 9, 7, 5, 3, 2, 1, False),
        ("k3_s2_p0_cin1_bias", 1, 1, 6, 5, 2, 3, 2, 0, True),
        ("k3_s1_p0_cin1_nobias", 2, 1, 5, 7, 3, 3, 1, 0, False),
        ("k1_s1_p0_bias", 2, 3, 5, 5, 4, 1, 1, 0, True),
        ("k1_s2_p0_nobias", 2, 3, 7, 7, 2, 1, 2, 0, False),
        ("k1_s1_p1_cin1_bias", 1, 1, 3, 5, 2, 1, 1, 1, True),
        ("k5_s2_p1_bias", 1, 3, 9, 11, 3, 5, 2, 1, True),
    ]
    for i, (name, n, cin, h, wd, cout, k, s, p, has_bias) in enumerate(specs):
        gen = torch.Generator().manual_seed(1000 + i)
        x = draw(gen, n, cin, h, wd)
        weight = draw(gen, cout, cin, k, k, low=-0.5, high=0.5)
        bias = draw(gen, cout) if has_bias else None
        ho, wo = (h + 2 * p - k) // s + 1, (wd + 2 * p - k) // s + 1
        cot = draw(gen, n, cout, ho, wo)
        inputs = [x, weight] + ([bias] if has_bias else [])
        fn = (lambda a, b, c: F.conv2d(a, b, c, stride=s, padding=p)) if has_bias else \
             (lambda a, b: F.conv2d(a, b, None, stride=s, padding=p))
        out, grads = vjp(fn, inputs, cot)
        tensors = {"input": x, "weight": weight, "cotangent": cot, "output": out,
                   "grad_input": grads[0], "grad_weight": grads[1]}
        if has_bias:
            tensors["bias"] = bias
            tensors["grad_bias"] = grads[2]
        w.case(name, {"stride": s, "padding": p, "bias": str(has_bias).lower()}, tensors)
    w.save()


def batch_norm_cases():
    w = Writer("batch_norm.safetensors",
               "batch norm: training (batch statistics, biased variance; running buffers updated with "
               "momentum 0.1 and the unbiased variance) and evaluation (given running statistics)")
    eps, momentum = 1e-5, 0.1
    train_specs = [("train_4x3x5x5", (4, 3, 5, 5), 0.0, 1.0),
                   ("train_2x5x3x3_offset", (2, 5, 3, 3), 3.0, 2.0),
                   ("train_1x2x3x5", (1, 2, 3, 5), -1.0, 0.5)]
    for i, (name, shape, shift, spread) in enumerate(train_specs):
        gen = torch.Generator().manual_seed(2000 + i)
        c = shape[1]
        x = draw(gen, *shape) * spread + shift
        weight = draw(gen, c, low=0.5, high=1.5)
        bias = draw(gen, c, low=-0.5, high=0.5)
        running_mean = draw(gen, c, low=-0.2, high=0.2)
        running_var = draw(gen, c, low=0.5, high=1.5)
        cot = draw(gen, *shape)
        rm, rv = running_mean.clone(), running_var.clone()
        out, grads = vjp(lambda a, g, b: F.batch_norm(a, rm, rv, g, b, training=True, momentum=momentum, eps=eps),
                         [x, weight, bias], cot)
        w.case(name, {"training": "true", "momentum": momentum, "epsilon": eps}, {
            "input": x, "weight": weight, "bias": bias, "cotangent": cot, "output": out,
            "grad_input": grads[0], "grad_weight": grads[1], "grad_bias": grads[2],
            "batch_mean": x.mean(dim=(0, 2, 3)),
            "batch_variance": x.var(dim=(0, 2, 3), unbiased=False),
            "running_mean": running_mean, "running_var": running_var,
            "running_mean_updated": rm, "running_var_updated": rv,
        })
    gen = torch.Generator().manual_seed(2100)
    shape = (3, 4, 3, 5)
    x = draw(gen, *shape) * 2.0 + 0.5
    weight = draw(gen, 4, low=0.5, high=1.5)
    bias = draw(gen, 4, low=-0.5, high=0.5)
    running_mean = draw(gen, 4, low=-0.5, high=0.5)
    running_var = draw(gen, 4, low=0.5, high=2.0)
    cot = draw(gen, *shape)
    out, grads = vjp(lambda a, g, b: F.batch_norm(a, running_mean, running_var, g, b, training=False, eps=eps),
                     [x, weight, bias], cot)
    w.case("eval_3x4x3x5", {"training": "false", "epsilon": eps}, {
        "input": x, "weight": weight, "bias": bias, "cotangent": cot, "output": out,
        "grad_input": grads[0], "grad_weight": grads[1], "grad_bias": grads[2],
        "running_mean": running_mean, "running_var": running_var,
    })
    w.save()


def pool_cases():
    w = Writer("pool.safetensors", "max, average (count_include_pad=True) and global average pooling")
    specs = [
        ("max_k2_s2", "max", (2, 3, 6, 7), 2, 2, 0),
        ("max_k3_s2_p1", "max", (2, 3, 7, 6), 3, 2, 1),
        ("avg_k2_s2", "avg", (2, 3, 7, 6), 2, 2, 0),
        ("avg_k3_s1_p1", "avg", (2, 2, 5, 6), 3, 1, 1),
        ("global_avg", "global", (2, 3, 5, 7), 0, 0, 0),
    ]
    for i, (name, kind, shape, k, s, p) in enumerate(specs):
        gen = torch.Generator().manual_seed(3000 + i)
        x = draw(gen, *shape)
        if kind == "max":
            fn = lambda a: F.max_pool2d(a, k, stride=s, padding=p)
        elif kind == "avg":
            fn = lambda a: F.avg_pool2d(a, k, stride=s, padding=p, count_include_pad=True)
        else:
            fn = lambda a: F.adaptive_avg_pool2d(a, 1).flatten(1)
        out_shape = fn(x).shape
        cot = draw(gen, *out_shape)
        out, grads = vjp(fn, [x], cot)
        w.case(name, {"kind": kind, "kernel_size": k, "stride": s, "padding": p},
               {"input": x, "cotangent": cot, "output": out, "grad_input": grads[0]})
    w.save()


def softmax_cases():
    w = Writer("softmax_cross_entropy.safetensors",
               "log-softmax along an axis; cross-entropy with mean reduction and label smoothing")
    specs = [("log_softmax_4x7_axis-1", (4, 7), -1, 3.0), ("log_softmax_2x5x3_axis1", (2, 5, 3), 1, 3.0),
             ("log_softmax_3x6_large", (3, 6), -1, 60.0)]
    for i, (name, shape, axis, scale) in enumerate(specs):
        gen = torch.Generator().manual_seed(4000 + i)
        x = draw(gen, *shape) * scale
        cot = draw(gen, *shape)
        out, grads = vjp(lambda a: F.log_softmax(a, dim=axis), [x], cot)
        w.case(name, {"op": "log_softmax", "axis": axis},
               {"input": x, "cotangent": cot, "output": out, "grad_input": grads[0]})
    ce_specs = [("cross_entropy_5x7_ls0", 5, 7, 0.0, 3.0), ("cross_entropy_5x7_ls0.1", 5, 7, 0.1, 3.0),
                ("cross_entropy_3x10_ls0.1_large", 3, 10, 0.1, 40.0), ("cross_entropy_1x2_ls0", 1, 2, 0.0, 1.0)]
    for i, (name, n, c, ls, scale) in enumerate(ce_specs):
        gen = torch.Generator().manual_seed(4100 + i)
        logits = draw(gen, n, c) * scale
        labels = torch.randint(0, c, (n,), generator=gen, dtype=torch.int64)
        cot = draw(gen, low=0.5, high=1.5)  # a 0-d cotangent
        out, grads = vjp(lambda a: F.cross_entropy(a, labels, reduction="mean", label_smoothing=ls), [logits], cot)
        w.case(name, {"op": "cross_entropy", "label_smoothing": ls},
               {"logits": logits, "labels": labels, "cotangent": cot, "output": out, "grad_logits": grads[0]})
    w.save()


def dtype_cases():
    tensors = {
        "f32": torch.tensor([[1.5, -2.25, 3.0], [0.0, 1e-3, -7.0]], dtype=torch.float32),
        "f64": torch.tensor([0.1, -1e10, 3.0], dtype=torch.float64),
        "f16": torch.tensor([1.0, -0.5, 65504.0, 2.0 ** -24, float("inf")], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.140625, 256.0, 2.0 ** -130], dtype=torch.bfloat16),
        "i64": torch.tensor([-3, 0, 2 ** 40], dtype=torch.int64),
        "i32": torch.tensor([[-1, 2], [3, -4]], dtype=torch.int32),
        "u8": torch.tensor([[0, 1], [255, 128]], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True], dtype=torch.bool),
        "scalar": torch.tensor(42.0, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }
    metadata = base_metadata("one tensor per dtype; values spelled out in SafetensorsTests.swift")
    write_safetensors(os.path.join(OUT, "dtypes.safetensors"), tensors, metadata)

    # Written with a single metadata field (the Rust writer's metadata order is a hash order),
    # so the Swift writer must reproduce it byte for byte.
    layout = {
        "layer1.0.conv1.weight": torch.arange(12, dtype=torch.float32).reshape(2, 1, 2, 3) / 8,
        "fc.bias": torch.tensor([0.5, -0.25], dtype=torch.float32),
        "masks.layer1": torch.tensor([0b10110001, 0b00000011, 7], dtype=torch.uint8),
        "a.scalar": torch.tensor(-1.0, dtype=torch.float32),
    }
    write_safetensors(os.path.join(OUT, "layout.safetensors"), layout, {"format": "pt"})


def main():
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT, exist_ok=True)
    conv2d_cases()
    batch_norm_cases()
    pool_cases()
    softmax_cases()
    dtype_cases()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"total {total} bytes in {OUT}")
    if total > 512 * 1024:
        sys.exit("golden files are too large (keep them well under 1 MB)")


if __name__ == "__main__":
    main()
