#!/usr/bin/env bash
# Side-by-side speed of two builds of the CLI (e.g. before and after a dependency upgrade), alternating
# the two on the same CPU in one run so that the machine's drift hits both alike.
#   ssgan/bench/bench_binaries.sh OLD_BINARY NEW_BINARY [ROUNDS]
# Per round and size, each binary runs `ssgan bench` on XLA (SSGAN and supervised-only) and on pure Go
# (SSGAN, supervised-only, and with NATIVE=1 also SSGAN with SSGAN_CONV=native: the backend's own
# convolution everywhere, which takes minutes).
set -euo pipefail
old="$1" new="$2" rounds="${3:-2}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
export PJRT_PLUGIN_LIBRARY_PATH="${PJRT_PLUGIN_LIBRARY_PATH:-$root/.venv/pjrt}" GOMLX_NO_AUTO_INSTALL=1
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%F)"
for size in "-d_size 64 -g_size 32" "-d_size 16 -g_size 16"; do
  for r in $(seq "$rounds"); do
    for bin in "$old" "$new"; do
      tag="$(basename "$bin")"
      # shellcheck disable=SC2086
      { "$bin" bench $size -steps 20 -drop 0 -input_drop 0
        "$bin" bench $size -steps 40 -supervised_only
        GOMLX_BACKEND=go "$bin" bench $size -steps 4 -drop 0 -input_drop 0
        GOMLX_BACKEND=go "$bin" bench $size -steps 8 -supervised_only
        if [ "${NATIVE:-0}" = 1 ]; then SSGAN_CONV=native GOMLX_BACKEND=go "$bin" bench $size -steps 4 -drop 0 -input_drop 0; fi
      } 2>&1 | grep '^ssgan bench:' | sed "s|^|$tag round $r: |"
    done
  done
done
