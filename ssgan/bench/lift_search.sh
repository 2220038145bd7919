#!/usr/bin/env bash
# The measured search behind the notebook's live lift section (issue 26): the improved recipe, with the GAN
# and on the labels alone, over 3 seeds, at budgets a 2-core CPU trains in minutes, on the real
# 8,000/2,000 split of the first 10,000 SVHN test images (the split the notebook's quick setting uses).
# Each candidate writes OUT/<name>/ (experiment.md, experiment.json, experiment.png); a finished candidate is skipped, so the
# script resumes after an interruption by running it again.
#   ssgan/bench/lift_search.sh SSGAN_BINARY OUT [NAME=FLAGS ...]
set -euo pipefail
bin="$1" out="$2"
shift 2
root="$(cd "$(dirname "$0")/../.." && pwd)"
svhn="${SVHN_SUBSET:-$root/../shared/data/svhn/test_32x32_first10k.mat}"
export PJRT_PLUGIN_LIBRARY_PATH="${PJRT_PLUGIN_LIBRARY_PATH:-$root/.venv/pjrt}" GOMLX_NO_AUTO_INSTALL=1
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967296:glibc.malloc.arena_max=2}"
candidates=("$@")
[ ${#candidates[@]} -gt 0 ] || candidates=(
  "d32g32e10=-d_size 32 -g_size 32 -batch 64 -epochs 10"
  "d16g16e20=-d_size 16 -g_size 16 -batch 64 -epochs 20"
  "d32g16e15=-d_size 32 -g_size 16 -batch 64 -epochs 15"
)
for c in "${candidates[@]}"; do
  name="${c%%=*}" flags="${c#*=}"
  if [ -f "$out/$name/experiment.json" ]; then echo "$name: done"; continue; fi
  rm -rf "$out/$name"
  echo "$name: $flags ($(date -u +%H:%M))"
  # shellcheck disable=SC2086
  "$bin" experiment -data_file "$svhn" -seeds 1,2,3 -drop 0 -input_drop 0 -recipe improved -ema_decay 0.99 \
    $flags -out "$out/$name" >"$out/$name.log" 2>&1
  grep -E '^\| (ssgan|supervised_only)' "$out/$name/experiment.md" || true
done
