#!/usr/bin/env bash
# `make cuda-check`: proves on any machine, GPU or not, that the CUDA plugin the set-up installs
# (SSGAN_CUDA=1 make setup) is complete and that go-xla accepts it:
#   1. every NVIDIA library folder the plugin's RPATH names in $ORIGIN/../nvidia/ is there;
#   2. the CLI starts the plugin (GOMLX_BACKEND=xla:PLUGIN ssgan bench): on a machine with a GPU it
#      trains on XLA CUDA; without one the only failure allowed is PJRT's "No visible GPU devices"
#      (code 9), never a missing library, a missing symbol or an API-version mismatch.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
plugin="$root/.venv/pjrt/nvidia/pjrt_c_api_cuda_plugin.so"
[ -e "$plugin" ] || { echo "cuda-check: no CUDA plugin at $plugin: run SSGAN_CUDA=1 make setup first" >&2; exit 1; }
echo "cuda-check: plugin $plugin -> $(readlink -f "$plugin")"
fail=0
if command -v readelf >/dev/null; then
  rpath="$(readelf -d "$plugin" | sed -n 's/.*Library rpath: \[\(.*\)\]/\1/p')"
  n=0
  for entry in ${rpath//:/ }; do
    case "$entry" in
      '$ORIGIN/../nvidia/'*)
        dir="$root/.venv/pjrt/nvidia/${entry#\$ORIGIN/../nvidia/}"
        n=$((n + 1))
        if ! ls "$dir"/*.so* >/dev/null 2>&1; then echo "cuda-check: the plugin looks for libraries in $dir: none there" >&2; fail=1; fi ;;
    esac
  done
  [ "$n" -gt 0 ] || { echo "cuda-check: the plugin's RPATH names no \$ORIGIN/../nvidia/ folder: $rpath" >&2; fail=1; }
  [ "$fail" = 0 ] && echo "cuda-check: all $n library folders of the plugin's RPATH are in .venv/pjrt/nvidia/"
else
  echo "cuda-check: readelf not found: the library folders were not checked"
fi
out="$(GOMLX_NO_AUTO_INSTALL=1 GOMLX_BACKEND="xla:$plugin" timeout 300 go run ./ssgan/cmd/ssgan bench -steps 3 -d_size 16 -g_size 16 -batch 64 2>&1)"
rc=$?
echo "$out" | grep -v '^\s*$' | tail -5 | sed 's/^/  | /'
if echo "$out" | grep -qiE "cannot open shared object|undefined symbol|version mismatch|API version|Can't find nvidia/"; then
  echo "cuda-check: FAILED: the plugin or one of its libraries did not load (above)" >&2
  exit 1
fi
if [ "$rc" = 0 ] && echo "$out" | grep -q "backend XLA CUDA"; then
  echo "cuda-check: passed: trained on XLA CUDA"
elif echo "$out" | grep -q "No visible GPU devices"; then
  echo "cuda-check: passed: go-xla loaded the plugin, which stopped only for want of a GPU (PJRT code 9, No visible GPU devices)"
else
  echo "cuda-check: FAILED: neither a CUDA run nor the no-GPU error (exit $rc)" >&2
  exit 1
fi
exit "$fail"
