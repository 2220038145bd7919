#!/usr/bin/env bash
# Short runs of the four configurations (course SSGAN and labels-only, the improved recipe on the conv
# networks, the improved recipe's MLPs on MNIST), fixed seeds, on the default backend (XLA with the
# set-up's plugin): run it with the CLI before and after a change that should not change results, and
# compare the per-epoch test accuracies the two write (ssgan/bench/results/equivalence/unify_same_results.md).
#   ssgan/bench/same_results.sh SSGAN_BINARY OUT_DIR
set -euo pipefail
bin="$1" out="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
svhn="${SVHN_SUBSET:-$root/../shared/data/svhn/test_32x32_first10k.mat}"
mnist="${MNIST_DIR:-$root/../shared/data/mnist}"
export PJRT_PLUGIN_LIBRARY_PATH="${PJRT_PLUGIN_LIBRARY_PATH:-$root/.venv/pjrt}" GOMLX_NO_AUTO_INSTALL=1
small="-d_size 16 -g_size 16 -batch 64 -epochs 2 -seeds 1"
# shellcheck disable=SC2086
"$bin" experiment -data_file "$svhn" -out "$out/course" $small -configs ssgan,supervised_only
# shellcheck disable=SC2086
"$bin" experiment -data_file "$svhn" -out "$out/improved_conv" $small -configs ssgan -recipe improved -ema_decay 0.99
"$bin" experiment -dataset mnist -data "$mnist" -out "$out/improved_mlp" -labels 100 -epochs 1 -seeds 1 -configs ssgan
for f in "$out"/*/*_seed1/metrics.jsonl; do
  printf '%s: ' "${f#"$out"/}"
  python3 -c 'import json,sys; print("  ".join("test %.4f d_loss %.6f" % (e["test_acc"], e["d_loss"]) for e in map(json.loads, open(sys.argv[1]))))' "$f"
done | tee "$out/test_acc.txt"
