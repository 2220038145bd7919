#!/usr/bin/env bash
# One command for the side-by-side comparison: ssgan-go's `experiment` on XLA and on pure Go, and the PyTorch
# twin, on the same split of the same .mat file with the same budget, then one table with the ratios.
#   ssgan/bench/compare.sh FILE.mat OUT_DIR [experiment flags, e.g. -epochs 5 -d_size 16 -g_size 8 -seeds 1,2,3]
# The twin's Python environment (.venv-twin, pinned in ssgan/bench/requirements.txt) is installed if missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$1" out="$2"
shift 2
venv="$root/.venv-twin"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import torch, scipy" 2>/dev/null ||
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/ssgan/bench/requirements.txt"

# Flags in the Go CLI's form (-name value) become the twin's (--name value).
twin_flags=()
for a in "$@"; do
  case "$a" in -*) twin_flags+=("-$a") ;; *) twin_flags+=("$a") ;; esac
done
# ssgan-go twice: on the default backend (XLA with the set-up's CPU plugin) and on the pure-Go backend.
(cd "$root" && go run ./ssgan/cmd/ssgan experiment -data_file "$data" -out "$out/ssgan-go-xla" "$@")
(cd "$root" && GOMLX_BACKEND=go go run ./ssgan/cmd/ssgan experiment -data_file "$data" -out "$out/ssgan-go-purego" "$@")
"$venv/bin/python" "$root/ssgan/bench/twin.py" --data_file "$data" --split "$out/ssgan-go-xla/split.json" \
  --out "$out/twin" "${twin_flags[@]}"
{ echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"; echo
  "$venv/bin/python" "$root/ssgan/bench/compare.py" "$out/ssgan-go-xla/experiment.json" \
    "$out/ssgan-go-purego/experiment.json" "$out/twin/twin.json"; } | tee "$out/compare.md"
