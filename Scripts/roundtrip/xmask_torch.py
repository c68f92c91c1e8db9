"""PyTorch definitions of xmask's CIFAR ResNets (ResNet-20/32/56) with xmask's layout and
torchvision's state-dict keys, and what an `xmask export` file needs to run in PyTorch.

Layout (Sources/XMaskNN/Models/ResNet.swift, ResidualBlocks.swift): 3x3 stem with 16 channels,
no conv bias, BatchNorm2d (eps 1e-5), three stages of n basic blocks (16, 32, 64 channels,
strides 1, 2, 2), option A shortcuts (subsample by the stride, zero channels padded half
before and half after), global average pooling, `fc`.
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.stride, self.pad = stride, cout - cin

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        s = x
        if self.stride != 1 or self.pad:
            s = x[:, :, ::self.stride, ::self.stride]
            s = F.pad(s, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return F.relu(out + s)


class CifarResNet(nn.Module):
    def __init__(self, depth=20, in_channels=3, num_classes=10):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        c = 16
        for i, w in enumerate([16, 32, 64]):
            blocks = []
            for j in range(n):
                blocks.append(BasicBlock(c, w, 2 if (i > 0 and j == 0) else 1))
                c = w
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.layer3(self.layer2(self.layer1(y)))
        return self.fc(y.mean(dim=(2, 3)))


def pact(x, bits, alpha):
    """xmask's PACT input quantizer, in float32: round(clamp(x, 0, a) / s) * s, s = a / (2^bits - 1)."""
    a = torch.tensor(alpha, dtype=torch.float32)
    s = a / (2 ** bits - 1)
    return torch.round(torch.clamp(x, min=0.0, max=float(a)) / s) * s


def add_activation_quantizers(model, metadata):
    """Installs the PACT quantizers `xmask.activation_quantization` describes (if any) as forward pre-hooks."""
    text = metadata.get("xmask.activation_quantization")
    if not text:
        return 0
    layers = json.loads(text)["layers"]
    modules = dict(model.named_modules())
    for key, q in layers.items():
        modules[key].register_forward_pre_hook(lambda m, inp, q=q: (pact(inp[0], q["bits"], q["alpha"]),))
    return len(layers)


def preprocess(pixels_nchw_uint8, metadata):
    """x = (pixel/255 - mean)/std per channel, from `xmask.preprocessing` (images already at its size)."""
    p = json.loads(metadata["xmask.preprocessing"])
    x = torch.as_tensor(pixels_nchw_uint8, dtype=torch.float32) / 255
    if x.shape[1] == 1 and p["channels"] == 3:
        x = x.repeat(1, 3, 1, 1)
    mean = torch.tensor(p["mean"]).view(1, -1, 1, 1)
    std = torch.tensor(p["std"]).view(1, -1, 1, 1)
    return (x - mean) / std
