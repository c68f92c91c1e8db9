#!/usr/bin/env bash
# Submits an xmask study to Slurm as three dependent jobs:
#   1. backbone:  xmask reproduce FILE --backbone-only --out RUN/backbone        (one job)
#   2. shards:    xmask reproduce FILE --shard K/N --backbone RUN/backbone --out RUN/shard-K
#                 as a job array, sbatch --array=0-(N-1), K = SLURM_ARRAY_TASK_ID  (after 1 succeeded)
#   3. merge:     xmask reproduce FILE --merge RUN/shard-0 … RUN/shard-(N-1) --out RUN/merged
#                                                                               (after every shard succeeded)
# Usage: Scripts/slurm/study-array.sh FILE.yaml N RUN_DIR
# Environment:
#   XMASK          the xmask binary every node can run (default: xmask on PATH)
#   CPUS           CPUs per job, passed to sbatch --cpus-per-task and xmask --threads (default 1)
#   SBATCH_*       sbatch's own variables (SBATCH_PARTITION, SBATCH_TIMELIMIT, SBATCH_ACCOUNT, …)
# RUN_DIR must be on a file system every node sees (FILE's data paths too). The backbone is
# trained once and every shard imports it byte for byte, so the shards agree whatever CPU they
# land on; the merge refuses shards of another plan or backbone, a missing or a duplicate shard.
# Every stage is resumable: re-submitting reuses a finished backbone, finished tasks of a shard
# and an interrupted merge. Prints the three job ids; logs go to RUN_DIR/logs/.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 FILE.yaml N RUN_DIR   (N shards, 0-based array 0-(N-1))" >&2
    exit 2
fi
file=$(realpath "$1")
shards=$2
run=$(realpath -m "$3")
xmask=${XMASK:-$(command -v xmask || true)}
cpus=${CPUS:-1}
if [[ -z "$xmask" || ! -x "$xmask" ]]; then
    echo "$0: no xmask binary (set XMASK=/path/to/xmask)" >&2
    exit 2
fi
if ! [[ "$shards" =~ ^[1-9][0-9]*$ ]]; then
    echo "$0: N must be a positive integer, got '$shards'" >&2
    exit 2
fi
xmask=$(realpath "$xmask")
# Check the file (keys, ranges, datasets) now rather than in a queued job.
"$xmask" reproduce "$file" --check > /dev/null
mkdir -p "$run/logs"

q() { printf '%q' "$1"; }
backbone_job=$(sbatch --parsable --job-name=xmask-backbone --cpus-per-task="$cpus" \
    --output="$run/logs/backbone-%j.out" \
    --wrap="$(q "$xmask") reproduce $(q "$file") --backbone-only --out $(q "$run/backbone") --threads $cpus --quiet")

array_job=$(sbatch --parsable --job-name=xmask-shard --cpus-per-task="$cpus" \
    --array="0-$((shards - 1))" --dependency="afterok:$backbone_job" \
    --output="$run/logs/shard-%a-%A.out" \
    --wrap="$(q "$xmask") reproduce $(q "$file") --shard \${SLURM_ARRAY_TASK_ID}/$shards --backbone $(q "$run/backbone") --out $(q "$run")/shard-\${SLURM_ARRAY_TASK_ID} --threads $cpus --quiet")

dirs=()
for ((k = 0; k < shards; k++)); do dirs+=("$(q "$run/shard-$k")"); done
merge_job=$(sbatch --parsable --job-name=xmask-merge --cpus-per-task=1 --dependency="afterok:$array_job" \
    --output="$run/logs/merge-%j.out" \
    --wrap="$(q "$xmask") reproduce $(q "$file") --merge ${dirs[*]} --out $(q "$run/merged") --quiet")

echo "backbone $backbone_job"
echo "shards   $array_job (array 0-$((shards - 1)))"
echo "merge    $merge_job -> $run/merged/report.html"
