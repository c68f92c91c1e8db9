#!/bin/bash
# kill -9 a pretraining run mid-epoch, resume it, and compare with an uninterrupted run.
set -u
# Usage (from the repo root, after `swift build -c release`): Scripts/kill9-resume-check.sh
X=${XMASK:-.build/release/xmask}
OUT=${OUT:-/tmp/xmask-kill9}
mkdir -p "$OUT"
D=${DATA:-../shared/data/mnist}
rm -rf $OUT/k9-straight $OUT/k9-killed
$X pretrain --data $D --out $OUT/k9-straight --epochs 3 --train-subset 2000 --threads 1 --quiet --json > $OUT/k9-straight.json
$X pretrain --data $D --out $OUT/k9-killed --epochs 3 --train-subset 2000 --threads 1 > $OUT/k9-killed.log 2>&1 &
PID=$!
# wait until epoch 1 is checkpointed and epoch 2 is under way
while ! grep -q "epoch 1/3:" $OUT/k9-killed.log 2>/dev/null; do sleep 0.5; done
sleep 4
kill -9 $PID; wait $PID 2>/dev/null
echo "killed during: $(tr '\r' '\n' < $OUT/k9-killed.log | grep -E 'epoch 2/3' | tail -1 | cut -c1-80)"
python3 - <<'PY'
import json, struct
f = open('$OUT/k9-killed/checkpoint.safetensors', 'rb').read()
n = struct.unpack('<Q', f[:8])[0]
h = json.loads(f[8:8 + n])
print('checkpoint after kill: epoch', h['__metadata__']['epoch'], len(h) - 1, 'tensors,', len(f), 'bytes, data end', max(v['data_offsets'][1] for k, v in h.items() if k != '__metadata__') + 8 + n)
PY
$X pretrain --data $D --out $OUT/k9-killed --epochs 3 --train-subset 2000 --threads 1 --resume --quiet --json > $OUT/k9-killed.json
grep -h backbone -A8 $OUT/k9-straight/bundle.json | grep sha256
grep -h backbone -A8 $OUT/k9-killed/bundle.json | grep sha256
cmp $OUT/k9-straight/backbone.safetensors $OUT/k9-killed/backbone.safetensors && echo "final weights identical"
