#!/usr/bin/env python3
"""Writes Tests/XMaskExperimentsTests/Golden/export_resnet20.json from the file that
TaskExportTests.exportMatchesPyTorchGolden writes ($TMPDIR/xmask-export-golden.safetensors):
PyTorch's own state_dict() keys, shapes and dtypes for xmask's ResNet-20 layout (1 input
channel, 3 classes), the SHA-256 of the export, and PyTorch's logits for the test's fixed input
after load_state_dict(strict=True).

    swift test --filter exportMatchesPyTorchGolden   # writes the export (fails until the golden exists)
    PY=$(/work/shared/bench/torch-venv.sh); $PY -m pip install safetensors
    $PY Scripts/golden/make_export_golden.py [EXPORT]
"""
import hashlib
import json
import os
import sys
import tempfile

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "roundtrip"))
from xmask_torch import CifarResNet  # noqa: E402

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "xmask-export-golden.safetensors")
model = CifarResNet(20, in_channels=1, num_classes=3)
model.load_state_dict(load_file(path), strict=True)
model.eval()
x = torch.tensor([[[[((7 * n + 5 * y + 3 * xx) % 17) / 8 - 1 for xx in range(8)] for y in range(8)]] for n in range(4)],
                 dtype=torch.float32)
with torch.no_grad():
    logits = model(x)
golden = {
    "torch": torch.__version__,
    "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
    "stateDict": {k: {"shape": list(v.shape), "dtype": str(v.dtype)} for k, v in model.state_dict().items()},
    "logits": logits.tolist(),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "XMaskExperimentsTests", "Golden", "export_resnet20.json")
with open(out, "w") as f:
    json.dump(golden, f, indent=1, sort_keys=True)
    f.write("\n")
print("wrote", out)
