#!/usr/bin/env python3
"""Reference values for XMaskNN's tests, made offline with PyTorch (never from xmask's output).

    PY=$(../shared/bench/torch-venv.sh)
    $PY Scripts/golden/make_nn_golden.py            # writes Tests/XMaskNNTests/Golden/*

Writes:
  state_dict_keys.json      keys and shapes of `state_dict()` for ResNet-20 (option A and B),
                            ResNet-18 (CIFAR stem), ResNet-50 (ImageNet stem), in PyTorch's order,
                            with torchvision's module names; plus the models.py names of ResNet-20.
  resnet20_golden.safetensors
      state.<key>                      fixed random weights and BN buffers of ResNet-20, option A
                                       (num_batches_tracked as I64)
      gray28.conv1.weight              the 1-channel model's first conv (else the same weights)
      alpha.<key>                      PACT clipping levels of the quantized model
      for each variant  rgb32 (3x32x32 input) and gray28 (1x28x28 input), batch 2:
        <v>.input, <v>.labels          the input and labels (labels as F32)
        <v>.{eval,train}.logits        logits in eval / train mode
        <v>.{eval,train}.loss          cross-entropy with label smoothing 0.1
        <v>.{eval,train}.grad.<key>    gradient of that loss for a few parameters
        <v>.train.after.<key>          every BN buffer after the one train-mode forward
      and the 4-bit fake-quantized version (prefix q<v>, no .after) on its own 2x<C>x4x4 input
      q<v>.input / q<v>.labels (see the comment in main for why): the same weights and the
      alphas; first conv 8-bit
      weights and full-precision input, every other conv 4-bit weights (max-abs scale) and
      4-bit PACT input, fc 8-bit weights and 8-bit PACT input (the formulas of
      Sources/XMaskNN/Quantization).

The ResNet here has torchvision's layout; its float forward is checked against
../shared/bench/models.py (He et al. option A CIFAR ResNet) when that file is present.
"""
import argparse
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "XMaskNNTests" / "Golden"
LABEL_SMOOTHING = 0.1
MARGIN = 1e-4  # quantized golden: smallest allowed distance (in steps) to a rounding edge


# ----------------------------------------------------------------------------- safetensors writer
def write_safetensors(path, tensors, metadata):
    """8-byte little-endian header length + JSON header + raw little-endian row-major data."""
    dtypes = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().contiguous().cpu()
        raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[key] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


# ----------------------------------------------------------------------------- quantizers
class PACT(nn.Module):
    """y = clamp(x, 0, alpha) quantized to 2^k - 1 steps; STE: dy/dx = 1[0<=x<=alpha], dy/dalpha = 1[x>=alpha]."""

    def __init__(self, bits, alpha):
        super().__init__()
        self.bits = bits
        self.alpha = nn.Parameter(torch.tensor(float(alpha)))

    margins = None  # when a list, forward appends its smallest distance to a rounding or clipping edge

    def forward(self, x):
        y = torch.minimum(torch.clamp(x, min=0.0), self.alpha)
        step = self.alpha.detach() / (2 ** self.bits - 1)
        v = y.detach() / step
        q = torch.round(v) * step
        if PACT.margins is not None:
            frac = (v - v.floor() - 0.5).abs()            # distance to a round-half boundary
            edge = (x.detach() - self.alpha.detach()).abs() / step  # distance to the clip at alpha
            PACT.margins.append(float(torch.minimum(frac.min(), edge.min())))
        return q + (y - y.detach())  # value exactly q, gradient of y


def quantize_weight(w, bits):
    """Symmetric per-tensor: s = max|w| / (2^(k-1) - 1); q = clamp(round(w / s), -Qp, Qp) * s; STE."""
    qp = 2 ** (bits - 1) - 1
    m = w.detach().abs().max()
    s = m / qp if m > 0 else torch.tensor(1.0)
    q = torch.clamp(torch.round(w.detach() / s), -qp, qp) * s
    return q + (w - w.detach())


class Conv(nn.Conv2d):
    def __init__(self, cin, cout, k, stride=1, padding=0, wbits=None, abits=None, alpha=6.0):
        super().__init__(cin, cout, k, stride=stride, padding=padding, bias=False)
        self.wbits = wbits
        if abits:
            self.input_quantizer = PACT(abits, alpha)

    def forward(self, x):
        if hasattr(self, "input_quantizer"):
            x = self.input_quantizer(x)
        w = quantize_weight(self.weight, self.wbits) if self.wbits else self.weight
        return F.conv2d(x, w, None, self.stride, self.padding)


class Linear(nn.Linear):
    def __init__(self, fin, fout, wbits=None, abits=None, alpha=6.0):
        super().__init__(fin, fout)
        self.wbits = wbits
        if abits:
            self.input_quantizer = PACT(abits, alpha)

    def forward(self, x):
        if hasattr(self, "input_quantizer"):
            x = self.input_quantizer(x)
        w = quantize_weight(self.weight, self.wbits) if self.wbits else self.weight
        return F.linear(x, w, self.bias)


# ----------------------------------------------------------------------------- torchvision-layout ResNets
class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride, shortcut, q):
        super().__init__()
        self.conv1 = Conv(cin, cout, 3, stride, 1, **q)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = Conv(cout, cout, 3, 1, 1, **q)
        self.bn2 = nn.BatchNorm2d(cout)
        self.pad = None
        if stride != 1 or cin != cout:
            if shortcut == "B":
                self.downsample = nn.Sequential(Conv(cin, cout, 1, stride, 0, **q), nn.BatchNorm2d(cout))
            else:
                self.stride, self.pad = stride, cout - cin

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if hasattr(self, "downsample"):
            sc = self.downsample(x)
        elif self.pad is not None:
            sc = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        else:
            sc = x
        return F.relu(out + sc)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * 4
        self.conv1 = Conv(cin, width, 1)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = Conv(width, width, 3, stride, 1)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = Conv(width, cout, 1)
        self.bn3 = nn.BatchNorm2d(cout)
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(Conv(cin, cout, 1, stride), nn.BatchNorm2d(cout))


class ResNet(nn.Module):
    def __init__(self, widths, blocks, in_ch=3, num_classes=10, shortcut="A", stem="cifar", bottleneck=False,
                 stem_ch=None, quant=None):
        super().__init__()
        quant = quant or {}
        stem_ch = stem_ch or widths[0]
        if stem == "cifar":
            self.conv1 = Conv(in_ch, stem_ch, 3, 1, 1, wbits=quant.get("first"))
            self.maxpool = None
        else:
            self.conv1 = Conv(in_ch, stem_ch, 7, 2, 3)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.bn1 = nn.BatchNorm2d(stem_ch)
        q = {"wbits": quant.get("w"), "abits": quant.get("a")}
        cin = stem_ch
        for i, (w, n) in enumerate(zip(widths, blocks)):
            layers = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                if bottleneck:
                    layers.append(Bottleneck(cin, w, stride))
                    cin = w * 4
                else:
                    layers.append(BasicBlock(cin, w, stride, shortcut, q))
                    cin = w
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
        self.nstages = len(widths)
        self.fc = Linear(cin, num_classes, wbits=quant.get("last"), abits=quant.get("last"))

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        if self.maxpool is not None:
            x = self.maxpool(x)
        for i in range(self.nstages):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def resnet20(in_ch=3, shortcut="A", quant=None):
    return ResNet([16, 32, 64], [3, 3, 3], in_ch, 10, shortcut, quant=quant)


QUANT = {"first": 8, "w": 4, "a": 4, "last": 8}


def keys_and_shapes(model):
    return [[k, list(v.shape)] for k, v in model.state_dict().items()]


# ----------------------------------------------------------------------------- golden values
def randomize(model, gen):
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, nn.Conv2d):
                fan_out = m.out_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * (2.0 / fan_out) ** 0.5)
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(0.5 + torch.rand(c, generator=gen))
                m.bias.copy_(0.1 * torch.randn(c, generator=gen))
                m.running_mean.copy_(0.1 * torch.randn(c, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(c, generator=gen))
                m.num_batches_tracked.fill_(3)
            elif isinstance(m, nn.Linear):
                b = 1 / m.in_features ** 0.5
                m.weight.copy_((torch.rand(m.weight.shape, generator=gen) * 2 - 1) * b)
                m.bias.copy_((torch.rand(m.bias.shape, generator=gen) * 2 - 1) * b)


GRAD_KEYS = ["conv1.weight", "layer1.0.conv1.weight", "layer2.0.conv2.weight",
             "layer3.2.bn2.weight", "layer3.2.bn2.bias", "fc.weight", "fc.bias"]
ALPHA_KEYS = ["layer1.0.conv1.input_quantizer.alpha", "layer2.1.conv2.input_quantizer.alpha",
              "layer3.2.conv2.input_quantizer.alpha", "fc.input_quantizer.alpha"]


def record(prefix, make, state, x, labels, grad_keys, out):
    """Logits, loss and gradients of `make()` loaded with `state`, in eval and train mode."""
    for mode in ("eval", "train"):
        model = make()
        model.load_state_dict(state)
        model.train(mode == "train")
        logits = model(x)
        loss = F.cross_entropy(logits, labels, label_smoothing=LABEL_SMOOTHING)
        params = dict(model.named_parameters())
        grads = torch.autograd.grad(loss, [params[k] for k in grad_keys])
        out[f"{prefix}.{mode}.logits"] = logits.detach()
        out[f"{prefix}.{mode}.loss"] = loss.detach()
        for k, g in zip(grad_keys, grads):
            out[f"{prefix}.{mode}.grad.{k}"] = g
        if mode == "train" and not prefix.startswith("q"):
            for k, v in model.state_dict().items():
                if "running_" in k or "num_batches" in k:
                    out[f"{prefix}.train.after.{k}"] = v.clone()


def check_against_models_py(bench_dir, state, x, in_ch):
    """models.py's resnet20 (option A) with the same weights must give the same logits."""
    sys.path.insert(0, str(bench_dir))
    import models  # noqa: E402

    ref = models.resnet20(num_classes=10, shortcut="A")
    if in_ch != 3:
        ref.conv1 = nn.Conv2d(in_ch, 16, 3, 1, 1, bias=False)
    mapped = {}
    for k, v in state.items():
        mapped[to_models_py_key(k)] = v
    ref.load_state_dict(mapped)
    ours = resnet20(in_ch)
    ours.load_state_dict(state)
    for mode in (False, True):
        ref.train(mode)
        ours.train(mode)
        a, b = ref(x), ours(x)
        assert torch.allclose(a, b, atol=1e-5), (mode, (a - b).abs().max())


def to_models_py_key(key):
    """torchvision-style `layer2.1.conv1.weight` -> models.py `layers.4.conv1.weight` (3 blocks per stage)."""
    parts = key.split(".")
    if parts[0].startswith("layer"):
        stage = int(parts[0][5:]) - 1
        block = int(parts[1])
        rest = ["proj" if p == "downsample" else p for p in parts[2:]]
        return ".".join(["layers", str(stage * 3 + block)] + rest)
    return key


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--bench-dir", type=Path, default=ROOT.parent / "shared" / "bench")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    meta = {"generator": "Scripts/golden/make_nn_golden.py", "torch": torch.__version__, "numpy": np.__version__,
            "label_smoothing": str(LABEL_SMOOTHING)}

    keys = {
        "resnet20": keys_and_shapes(resnet20()),
        "resnet20_b": keys_and_shapes(resnet20(shortcut="B")),
        "resnet18": keys_and_shapes(ResNet([64, 128, 256, 512], [2, 2, 2, 2], 3, 10, "B")),
        "resnet50": keys_and_shapes(ResNet([64, 128, 256, 512], [3, 4, 6, 3], 3, 1000, "B", stem="imagenet",
                                           bottleneck=True, stem_ch=64)),
        "resnet20_qat": keys_and_shapes(resnet20(quant=QUANT)),
    }
    keys["resnet20_models_py"] = [[to_models_py_key(k), s] for k, s in keys["resnet20"]]
    lines = [f" {json.dumps(name)}: [\n" + ",\n".join(f"  {json.dumps(e)}" for e in entries) + "\n ]"
             for name, entries in keys.items()]
    (args.out / "state_dict_keys.json").write_text(
        "{\n" + f" \"__metadata__\": {json.dumps(meta)},\n" + ",\n".join(lines) + "\n}\n")

    out = {}
    gen = torch.Generator().manual_seed(20261122)
    # One set of weights: rgb32 uses it as is; gray28 replaces conv1.weight ([16, 1, 3, 3]).
    base = resnet20()
    randomize(base, gen)
    rgb_state = {k: v.clone() for k, v in base.state_dict().items()}
    for k, v in rgb_state.items():
        out[f"state.{k}"] = v
    gray_state = dict(rgb_state)
    gray_state["conv1.weight"] = torch.randn(16, 1, 3, 3, generator=gen) * (2.0 / (16 * 9)) ** 0.5
    out["gray28.conv1.weight"] = gray_state["conv1.weight"]
    # PACT clipping levels of the quantized model, drawn in [1, 3] so that some inputs clip.
    alphas = {k: v for k, v in resnet20(quant=QUANT).state_dict().items() if k.endswith(".alpha")}
    for k in alphas:
        alphas[k] = 1.0 + 2.0 * torch.rand((), generator=gen)
        out[f"alpha.{k}"] = alphas[k]
    for name, in_ch, size, state in (("rgb32", 3, 32, rgb_state), ("gray28", 1, 28, gray_state)):
        x = torch.randn(2, in_ch, size, size, generator=gen)
        labels = torch.randint(0, 10, (2,), generator=gen)
        out[f"{name}.input"] = x
        out[f"{name}.labels"] = labels.float()
        record(name, lambda: resnet20(in_ch), state, x, labels, GRAD_KEYS, out)
        if args.bench_dir.joinpath("models.py").exists():
            check_against_models_py(args.bench_dir, state, x, in_ch)
            print(f"{name}: matches models.py resnet20 (option A)")
        # Quantized: at 32x32 a few of the ~300k activations always land within float32 rounding
        # (different summation order) of a rounding boundary, flip a level and the difference
        # cascades. So the quantized reference uses 4x4 inputs (about 6k quantized activations)
        # drawn until every activation is at least MARGIN steps from a boundary and from alpha.
        qmake = lambda: resnet20(in_ch, quant=QUANT)
        qstate = {**state, **alphas}
        for attempt in range(1000):
            qx = torch.randn(2, in_ch, 4, 4, generator=gen)
            qlabels = torch.randint(0, 10, (2,), generator=gen)
            PACT.margins = []
            for mode in (False, True):
                m = qmake()
                m.load_state_dict(qstate)
                m.train(mode)
                m(qx)
            margin, PACT.margins = min(PACT.margins), None
            if margin >= MARGIN:
                break
        else:
            raise SystemExit("no input with enough rounding margin found")
        print(f"q{name}: input found after {attempt + 1} draws, margin {margin:.2e} steps")
        out[f"q{name}.input"] = qx
        out[f"q{name}.labels"] = qlabels.float()
        record("q" + name, qmake, qstate, qx, qlabels, GRAD_KEYS + ALPHA_KEYS, out)

    write_safetensors(args.out / "resnet20_golden.safetensors", out, meta)
    print(f"wrote {len(out)} tensors and {len(keys)} key lists to {args.out}")


if __name__ == "__main__":
    main()
