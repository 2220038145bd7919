#!/usr/bin/env bash
# The first run on an NVIDIA GPU, in one call, on a machine that may have no Go toolchain.
#
#   make gpu-binary                      # here: the CLI, stripped (~27 MB), needing only glibc, in out/gpu/
#   ssgan/bench/gpu_run.sh [BINARY] [DATA.mat]   # there (the device tool carries out/gpu along)
#
# The CUDA PJRT plugin: PJRT_PLUGIN if set, else the set-up's .venv/pjrt/nvidia/pjrt_c_api_cuda_plugin.so,
# else the first xla_cuda_plugin.so or pjrt_c_api_cuda_plugin.so found in the usual places (Python
# site-packages, go-xla's ~/.local/lib/go-xla and /usr/local/lib/go-xla). Sized for under 15 minutes, it
# prints: the GPU, the backend line, the course-size step time and its first step (compilation), one
# course-setting epoch (73,257 generated images at SVHN's size, batch 128), and a short real-data accuracy
# run when DATA.mat (default: ../shared/data/svhn's 10,000 real test images, or data/test_32x32_first10k.mat)
# exists; then the paper's SVHN setting for 6 minutes (epoch time, accuracy, the estimate for 900 epochs).
# Outputs also go to $OUT (default /tmp/gpu_run).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
bin="${1:-$root/out/gpu/ssgan}"
[ -x "$bin" ] || { command -v go >/dev/null && go build -ldflags=-w -o "$root/out/gpu/ssgan" ./ssgan/cmd/ssgan && bin="$root/out/gpu/ssgan"; }
[ -x "$bin" ] || { echo "gpu_run: no CLI binary at $bin and no Go to build one: run make gpu-binary where Go is" >&2; exit 1; }
echo "== machine: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo 'nvidia-smi not found'); $(nproc) CPU cores"

plugin="${PJRT_PLUGIN:-}"
if [ -z "$plugin" ] && [ -e "$root/.venv/pjrt/nvidia/pjrt_c_api_cuda_plugin.so" ]; then
  plugin="$root/.venv/pjrt/nvidia/pjrt_c_api_cuda_plugin.so"
fi
if [ -z "$plugin" ]; then
  plugin="$(find /usr /opt /root /home -name xla_cuda_plugin.so -o -name pjrt_c_api_cuda_plugin.so 2>/dev/null | head -1)"
fi
[ -n "$plugin" ] && [ -e "$plugin" ] || { echo "gpu_run: no CUDA PJRT plugin found (set PJRT_PLUGIN, or run make setup on this machine)" >&2; exit 1; }
echo "== plugin: $plugin"
export GOMLX_NO_AUTO_INSTALL=1 GOMLX_BACKEND="xla:$plugin"
out="${OUT:-/tmp/gpu_run}"
mkdir -p "$out"
rm -rf "$out/epoch" "$out/real"

echo "== the course-size step (d=64, g=32, batch 128): first step (compilation) and 100 timed steps"
timeout 150 "$bin" bench -steps 100 2>&1 | tee "$out/bench.txt"
echo "== the course-size step on the labels alone"
timeout 90 "$bin" bench -steps 100 -supervised_only 2>&1 | tee -a "$out/bench.txt"

echo "== one epoch of the course setting (73,257 generated images at SVHN's size, batch 128, with its evaluation)"
start=$(date +%s)
timeout 180 "$bin" train -synthetic -epochs 1 -out "$out/epoch" 2>&1 | grep -E '^(ssgan: backend|Epoch|ssgan: final)' | tee "$out/epoch.txt"
echo "epoch run, start to end (loading and compilation included): $(( $(date +%s) - start )) s"

data="${2:-}"
for d in "$data" "$root/../shared/data/svhn/test_32x32_first10k.mat" "$root/data/test_32x32_first10k.mat"; do
  if [ -n "$d" ] && [ -f "$d" ]; then data="$d"; break; fi
done
if [ -n "$data" ] && [ -f "$data" ]; then
  echo "== real data: $data, course-size model, 8,000 images with 1,000 labels, 2,000 held apart, 10 epochs, seed 1"
  timeout 150 "$bin" experiment -data_file "$data" -out "$out/real" -epochs 10 -seeds 1 2>&1 | tail -6 | tee "$out/real.txt"
else
  echo "== real data: none found (pass DATA.mat, or carry data/test_32x32_first10k.mat)"
fi

# The paper's SVHN setting (-preset svhn-paper: its networks and procedure) for as many epochs as fit in
# 6 minutes: the epoch time, the accuracy reached, and the time 900 epochs would take. Without the full
# training file it trains on the 10,000 real test images (8,000 / 2,000), or on generated digits.
echo "== the paper's SVHN setting (-preset svhn-paper), as many epochs as 6 minutes allow"
paper=(train -preset svhn-paper -epochs 900 -out "$out/paper")
metrics="$out/paper/metrics.jsonl"
if [ -f "$root/data/train_32x32.mat" ] && [ -f "$root/data/test_32x32.mat" ]; then
  paper+=(-data "$root/data" -no_download)
elif [ -n "$data" ] && [ -f "$data" ]; then
  paper=(experiment -preset svhn-paper -epochs 900 -out "$out/paper" -data_file "$data" -max_test 2000 -seeds 1 -configs ssgan)
  metrics="$out/paper/ssgan_seed1/metrics.jsonl"
else
  paper+=(-synthetic)
fi
rm -rf "$out/paper"
start=$(date +%s)
timeout 360 "$bin" "${paper[@]}" 2>&1 | grep -E '^(ssgan: backend|Epoch)' | tee "$out/paper.txt"
elapsed=$(( $(date +%s) - start ))
python3 - "$metrics" "$elapsed" <<'PY' 2>/dev/null || echo "no finished epoch of the paper's setting in 6 minutes"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
per = statistics.median(r["epoch_seconds"] for r in rows)
print(f"paper's setting: {len(rows)} epochs in {sys.argv[2]} s (start to end), {per:.1f} s per epoch (median); "
      f"test accuracy after epoch {rows[-1]['epoch']}: {100 * rows[-1]['test_acc']:.2f}%; "
      f"900 epochs at this pace: about {900 * per / 3600:.1f} hours")
PY
