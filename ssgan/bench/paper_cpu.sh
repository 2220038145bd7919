#!/usr/bin/env bash
# The paper's SVHN networks against the course's on this CPU, at equal minutes: both with the paper's SVHN
# procedure (-preset svhn-paper; the course's network by -model conv -g_size 32), weights averaged over about
# the last 100 steps for both (a short run has few to average), on the 8,000 / 2,000 split of ../shared's first
# 10,000 real SVHN test images, 1,000 labels, seed 1. Each trains until MINUTES are up; prints the time per
# step and every finished epoch's test accuracy.
#   ssgan/bench/paper_cpu.sh BINARY OUT [MINUTES]
set -uo pipefail
bin="$1" out="$2" minutes="${3:-8}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
svhn="${SVHN_SUBSET:-$root/../shared/data/svhn/test_32x32_first10k.mat}"
export PJRT_PLUGIN_LIBRARY_PATH="${PJRT_PLUGIN_LIBRARY_PATH:-$root/.venv/pjrt}" GOMLX_NO_AUTO_INSTALL=1
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967296:glibc.malloc.arena_max=2}"
mkdir -p "$out"
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $minutes minutes each"
for net in paper course; do
  flags=(-preset svhn-paper -ema_decay 0.99)
  [ "$net" = course ] && flags+=(-model conv -g_size 32)
  rm -rf "$out/$net"
  timeout "$((minutes * 60))" "$bin" experiment -data_file "$svhn" -max_test 2000 -seeds 1 -configs ssgan -out "$out/$net" "${flags[@]}" \
    >"$out.$net.log" 2>&1
  python3 - "$out/$net/ssgan_seed1/metrics.jsonl" "$net" <<'PY'
import json, statistics, sys
try:
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
except OSError:
    rows = []
if not rows:
    print(f"{sys.argv[2]}: no finished epoch"); sys.exit()
print(f"{sys.argv[2]}: {len(rows)} epochs, {statistics.median(r['step_seconds'] for r in rows):.3f} s per step (median), "
      f"{statistics.median(r['epoch_seconds'] for r in rows):.0f} s per epoch; test accuracy per epoch: "
      + ", ".join(f"{100 * r['test_acc']:.1f}" for r in rows))
PY
done
