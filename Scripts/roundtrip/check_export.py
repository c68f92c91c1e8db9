#!/usr/bin/env python3
"""Evaluates an `xmask export` file in PyTorch and compares its logits with xmask's.

    $PY Scripts/roundtrip/check_export.py EXPORT.safetensors CIFAR_DIR XMASK_LOGITS.npy

CIFAR_DIR is the task's test data as a CIFAR-10 binary directory (test_batch.bin, 32x32 RGB,
already the network's input size: no resizing); XMASK_LOGITS.npy is `xmask export --logits`.
Builds xmask's ResNet-20 layout (xmask_torch.py), loads the file with strict=True, installs
the PACT quantizers the metadata describes, preprocesses from `xmask.preprocessing`, and prints
accuracy and max |logit difference|.
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from xmask_torch import CifarResNet, add_activation_quantizers, preprocess

path, data_dir, logits_path = sys.argv[1:4]
with safe_open(path, "pt") as f:
    metadata = f.metadata()
spec = json.loads(metadata["xmask.model"])
depth = int(spec["name"].removeprefix("resnet"))
model = CifarResNet(depth, spec["inChannels"], spec["numClasses"])
model.load_state_dict(load_file(path), strict=True)
model.eval()
quantizers = add_activation_quantizers(model, metadata)
torch.set_num_threads(1)

raw = np.fromfile(os.path.join(data_dir, "test_batch.bin"), dtype=np.uint8).reshape(-1, 1 + 3 * 32 * 32)
labels = torch.from_numpy(raw[:, 0].astype(np.int64))
x = preprocess(raw[:, 1:].reshape(-1, 3, 32, 32), metadata)
with torch.no_grad():
    logits = torch.cat([model(x[i:i + 500]) for i in range(0, len(x), 500)])
ours = torch.from_numpy(np.load(logits_path))
accuracy = (logits.argmax(1) == labels).float().mean().item()
accuracy_xmask = (ours.argmax(1) == labels).float().mean().item()
print(f"torch {torch.__version__}; {path}: task {metadata['xmask.task']} ({metadata['xmask.method']}), "
      f"{len(x)} test images, {quantizers} PACT quantizers from the metadata")
print(f"PyTorch accuracy {100 * accuracy:.2f} %, xmask accuracy {100 * accuracy_xmask:.2f} %, "
      f"predictions differ on {(logits.argmax(1) != ours.argmax(1)).sum().item()} images")
print(f"max |logit(PyTorch) - logit(xmask)| = {(logits - ours).abs().max().item():.3e}")
