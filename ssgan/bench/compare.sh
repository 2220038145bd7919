#!/usr/bin/env bash
# One command for the side-by-side comparison: ssgan-go's `experiment` and the PyTorch twin, on the same
# split of the same .mat file with the same budget, then a table with both sides and the ratios.
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
(cd "$root" && go run ./ssgan/cmd/ssgan experiment -data_file "$data" -out "$out/ssgan-go" "$@")
"$venv/bin/python" "$root/ssgan/bench/twin.py" --data_file "$data" --split "$out/ssgan-go/split.json" \
  --out "$out/twin" "${twin_flags[@]}"
"$venv/bin/python" "$root/ssgan/bench/compare.py" "$out/ssgan-go/experiment.json" "$out/twin/twin.json" | tee "$out/compare.md"
