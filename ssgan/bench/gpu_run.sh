#!/usr/bin/env bash
# Course-size speed and accuracy on an NVIDIA GPU, offline, with a PJRT CUDA plugin already on disk.
# Sized to finish in under 8 minutes. Prints epoch time, steps/s and test accuracy.
#
#   PJRT_PLUGIN=/abs/path/xla_cuda_plugin.so ssgan/bench/gpu_run.sh [DATA.mat]
#
# The plugin: `xla_cuda_plugin.so` from a jax-cuda12-pjrt wheel (with the CUDA libraries of the
# nvidia-* wheels it depends on). If PJRT_PLUGIN is unset and the repository has a .whl/ folder of such
# wheels, they are unpacked to /tmp/site and used. DATA.mat (default: ../shared/data/svhn's 10,000 real test
# images) is split 8,000 / 2,000 as in the experiment docs; without it, generated digits at SVHN's sizes.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "gpu_run: nvidia-smi not found"
if [ -z "${PJRT_PLUGIN:-}" ] && ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl
  PJRT_PLUGIN="$(find /tmp/site -name 'xla_cuda_plugin.so' | head -1)"
  libs="$(find /tmp/site/nvidia -maxdepth 2 -name lib -type d 2>/dev/null | paste -sd:)"
  export LD_LIBRARY_PATH="${libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
[ -n "${PJRT_PLUGIN:-}" ] && [ -f "$PJRT_PLUGIN" ] || { echo "gpu_run: set PJRT_PLUGIN to a PJRT CUDA plugin .so" >&2; exit 1; }
export GOMLX_NO_AUTO_INSTALL=1 GOMLX_BACKEND="xla:$PJRT_PLUGIN"
go build -o /tmp/ssgan ./ssgan/cmd/ssgan
out="${OUT:-/tmp/gpu_run}"
mkdir -p "$out"

echo "== one D+G step at the course size (d=64, g=32, batch 128)"
timeout 120 /tmp/ssgan bench -steps 100 | tee "$out/bench.txt"

data="${1:-$root/../shared/data/svhn/test_32x32_first10k.mat}"
if [ -f "$data" ]; then
  echo "== course-size model, 10 epochs on $data (8,000 pool with 1,000 labels, 2,000 held apart)"
  timeout 300 /tmp/ssgan experiment -data_file "$data" -out "$out/real" -epochs 10 -seeds 1 | tee "$out/real.txt"
else
  echo "== course-size model, 1 epoch on generated digits at SVHN's full size (73,257 / 26,032)"
  timeout 300 /tmp/ssgan train -synthetic -out "$out/synthetic" -epochs 1 | tee "$out/synthetic.txt"
fi
