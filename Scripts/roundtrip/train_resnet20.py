#!/usr/bin/env python3
"""Trains xmask's ResNet-20 layout in PyTorch (full precision) on a Keras-style .npz
([N, 32, 32, 3] uint8, e.g. make_real_formats.py's fmnist32.npz) and writes its state dict
with `safetensors.torch.save_file(model.state_dict(), OUT)`, for `xmask import`.

    PY=$(/work/shared/bench/torch-venv.sh); $PY -m pip install safetensors
    $PY Scripts/roundtrip/train_resnet20.py /tmp/xmask-formats/fmnist32.npz /tmp/rt/resnet20.safetensors
Inputs normalised as xmask does: (pixel/255 - 0.5)/0.5. One epoch of SGD, seed 0, 1 thread.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from xmask_torch import CifarResNet

torch.manual_seed(0)
torch.set_num_threads(1)
data = np.load(sys.argv[1])
x = (torch.from_numpy(data["x_train"]).permute(0, 3, 1, 2).float() / 255 - 0.5) / 0.5
y = torch.from_numpy(data["y_train"].astype(np.int64))
model = CifarResNet(20, 3, 10)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
perm = torch.randperm(len(x))
model.train()
for k, i in enumerate(range(0, len(x) - 127, 128)):
    idx = perm[i:i + 128]
    loss = F.cross_entropy(model(x[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if k % 20 == 0:
        print(f"step {k}: loss {loss.item():.4f}", flush=True)
save_file(model.state_dict(), sys.argv[2])
print("wrote", sys.argv[2], "torch", torch.__version__)
