#!/usr/bin/env bash
# The reference's budget on MNIST: 100 labels, the improved recipe, 300 epochs, one seed. Resumable: run
# it again with the same OUT_DIR after an interruption (end of a session, Ctrl-C, a crash) and it
# continues from the last finished epoch exactly (ssgan train -resume).
#   ssgan/bench/mnist_long.sh SSGAN_BINARY OUT_DIR [SEED [TRAIN_FLAGS...]]
# e.g. the Adam A/B: ... OUT_DIR 2 -adam_epsilon inside
set -euo pipefail
bin="$1" out="$2" seed="${3:-1}"
shift $(( $# < 3 ? $# : 3 ))
root="$(cd "$(dirname "$0")/../.." && pwd)"
mnist="${MNIST_DIR:-$root/../shared/data/mnist}"
export PJRT_PLUGIN_LIBRARY_PATH="${PJRT_PLUGIN_LIBRARY_PATH:-$root/.venv/pjrt}" GOMLX_NO_AUTO_INSTALL=1
# As the Makefile: glibc keeps the memory XLA frees between steps (ssgan.MallocTunables).
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967296:glibc.malloc.arena_max=2}"
if [ -f "$out/checkpoint.ssgan" ]; then
  exec "$bin" train -resume -out "$out" -data "$mnist" -no_download
fi
exec "$bin" train -dataset mnist -data "$mnist" -no_download -out "$out" -labels 100 -epochs 300 -seed "$seed" "$@"
