#!/usr/bin/env bash
# The same per-epoch metrics before and after a change that should change no result: builds the CLI at
# BASE (a commit) and at the work tree, trains four configurations with each (course SSGAN and labels
# alone and the improved recipe on the conv networks, generated digits; the improved recipe's MLPs on
# MNIST), 2 epochs, seed 1, XLA CPU, and compares every metric but the timings.
#   ssgan/bench/same_results_ab.sh BASE [OUT]
set -eu
base="$1" w="${2:-/tmp/same_results}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$w"; mkdir -p "$w"
git -C "$root" worktree add -q "$w/base-src" "$base"
(cd "$w/base-src" && go build -o "$w/old" ./ssgan/cmd/ssgan)
(cd "$root" && go build -o "$w/new" ./ssgan/cmd/ssgan)
git -C "$root" worktree remove --force "$w/base-src"
export PJRT_PLUGIN_LIBRARY_PATH="${PJRT_PLUGIN_LIBRARY_PATH:-$root/.venv/pjrt}" GOMLX_NO_AUTO_INSTALL=1
mnist="${MNIST_DIR:-$root/../shared/data/mnist}"
small="-synthetic -max_train 8000 -max_test 2000 -d_size 16 -g_size 16 -batch 64"
declare -A cfgs=(
  [course_conv]="$small"
  [course_conv_labels_only]="$small -supervised_only"
  [improved_conv]="$small -recipe improved"
  [improved_mlp]="-dataset mnist -data $mnist -no_download -max_train 6000 -max_test 2000"
)
for name in "${!cfgs[@]}"; do
  for bin in old new; do
    # shellcheck disable=SC2086
    "$w/$bin" train ${cfgs[$name]} -epochs 2 -seed 1 -out "$w/$name-$bin" >"$w/$name-$bin.log" 2>&1 || { echo "$name $bin failed"; tail -3 "$w/$name-$bin.log"; }
  done
  python3 - "$w/$name-old/metrics.jsonl" "$w/$name-new/metrics.jsonl" "$name" <<'PY'
import json, sys
drop = {"epoch_seconds", "step_seconds", "steps_per_second"}
a = [{k: v for k, v in json.loads(l).items() if k not in drop} for l in open(sys.argv[1])]
b = [{k: v for k, v in json.loads(l).items() if k not in drop} for l in open(sys.argv[2])]
print(f"{sys.argv[3]}: {'SAME' if a == b else 'DIFFERENT'}; epochs {len(a)}/{len(b)}; last test_acc {a[-1]['test_acc']} / {b[-1]['test_acc']}; d_loss {a[-1]['d_loss']:.6f} / {b[-1]['d_loss']:.6f}")
for x, y in zip(a, b):
    for k in x:
        if x[k] != y.get(k):
            print("   epoch", x["epoch"], k, x[k], y.get(k))
PY
done
