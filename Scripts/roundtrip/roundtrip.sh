#!/usr/bin/env bash
# The PyTorch round trip: a ResNet-20 trained by PyTorch -> xmask import -> xmask adapt ->
# xmask export -> PyTorch logits against xmask's. Output: Scripts/roundtrip/roundtrip-output.txt.
#   PY=$(/work/shared/bench/torch-venv.sh); $PY -m pip install safetensors
#   python3 Scripts/formats/make_real_formats.py        # /tmp/xmask-formats
#   swift build -c release --product xmask
#   PY=$PY BITS=32 Scripts/roundtrip/roundtrip.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:?set PY to the torch venv python}
BITS=${BITS:-32}
XMASK=${XMASK:-.build/release/xmask}
F=${FORMATS:-/tmp/xmask-formats}
W=${WORK:-/tmp/xmask-roundtrip-$BITS}
rm -rf "$W" && mkdir -p "$W"
# WEIGHTS=FILE reuses a state dict train_resnet20.py wrote before (it trains for about 6 min).
if [ -n "${WEIGHTS:-}" ]; then cp "$WEIGHTS" "$W/resnet20.safetensors"
else (cd Scripts/roundtrip && "$PY" train_resnet20.py "$F/fmnist32.npz" "$W/resnet20.safetensors" | tail -n 1); fi
"$XMASK" import --weights "$W/resnet20.safetensors" --model resnet20 --bits "$BITS" --data "$F/fmnist32.npz" --out "$W/bundle" --threads 1
"$XMASK" adapt --bundle "$W/bundle" --task mnist-cifar --data "$F/mnist-cifar10" --method xbm --steps 100 --threads 1 --quiet
"$XMASK" eval --bundle "$W/bundle" --threads 1 --quiet
"$XMASK" export --bundle "$W/bundle" --task mnist-cifar --out "$W/mnist-cifar.safetensors" --logits "$W/xmask-logits.npy" --threads 1
(cd Scripts/roundtrip && "$PY" check_export.py "$W/mnist-cifar.safetensors" "$F/mnist-cifar10" "$W/xmask-logits.npy")
