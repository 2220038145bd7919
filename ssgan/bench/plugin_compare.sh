#!/usr/bin/env bash
# Two PJRT CPU plugins side by side on one CLI binary, alternating in each round so that the machine's
# drift hits both alike: the course-size SSGAN and supervised-only steps and the quick SSGAN step (each
# with its first step: compilation and initialisation), and the MNIST MLP step of the improved recipe.
#   ssgan/bench/plugin_compare.sh SSGAN_BINARY PLUGIN_A.so PLUGIN_B.so [ROUNDS]
set -euo pipefail
bin="$1" a="$2" b="$3" rounds="${4:-3}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
mnist="${MNIST_DIR:-$root/../shared/data/mnist}"
export GOMLX_NO_AUTO_INSTALL=1
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%F)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for r in $(seq "$rounds"); do
  for plugin in "$a" "$b"; do
    tag="$(basename "$(dirname "$plugin")")"
    export GOMLX_BACKEND="xla:$plugin"
    {
      "$bin" bench -d_size 64 -g_size 32 -steps 20 -drop 0 -input_drop 0
      "$bin" bench -d_size 64 -g_size 32 -steps 40 -supervised_only
      "$bin" bench -d_size 16 -g_size 16 -steps 40 -drop 0 -input_drop 0
      rm -rf "$tmp/mnist"
      "$bin" train -dataset mnist -data "$mnist" -no_download -out "$tmp/mnist" -max_train 6000 -epochs 1 | sed -n 's/^Epoch 1\/1 .*\(step [0-9.]*s  epoch [0-9.]*s\).*/ssgan bench: MNIST MLP improved recipe 60 steps: \1/p'
    } 2>&1 | grep '^ssgan bench:' | sed "s|^|$tag round $r: |"
  done
done
