#!/usr/bin/env bash
# The reference's budget on MNIST: 100 labels, the improved recipe, 300 epochs, one seed. Resumable: run
# it again with the same OUT_DIR after an interruption (end of a session, Ctrl-C, a crash) and it
# continues from the last finished epoch exactly (ssgan train -resume).
#   ssgan/bench/mnist_long.sh SSGAN_BINARY OUT_DIR [SEED]
set -euo pipefail
bin="$1" out="$2" seed="${3:-1}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
mnist="${MNIST_DIR:-$root/../shared/data/mnist}"
export PJRT_PLUGIN_LIBRARY_PATH="${PJRT_PLUGIN_LIBRARY_PATH:-$root/.venv/pjrt}" GOMLX_NO_AUTO_INSTALL=1
if [ -f "$out/checkpoint.ssgan" ]; then
  exec "$bin" train -resume -out "$out" -data "$mnist" -no_download
fi
exec "$bin" train -dataset mnist -data "$mnist" -no_download -out "$out" -labels 100 -epochs 300 -seed "$seed"
