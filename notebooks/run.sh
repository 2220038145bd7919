#!/usr/bin/env bash
# Runs a notebook end to end, headless, and writes the executed notebook and an HTML copy to out/notebooks/.
#   notebooks/run.sh [solutions|exercises] [extra nbconvert flags]
# On a machine without XLA the notebook picks its quick setting itself, and says so in its output.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
name="${1:-solutions}"
shift || true
out="$root/out/notebooks"
mkdir -p "$out"
export PATH="$root/.venv/bin:$PATH"
# The kernel registered in the venv wins over any other GoNB install of the user.
export JUPYTER_PATH="$root/.venv/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
cd "$root/notebooks"
# GoNB's own log lines are left out of the output: its info and warning lines (I/W prefixes), and the
# test "Error message" that GoNB v0.11.3 logs at every start (setUpKlog in its main.go), which is not an error.
jupyter nbconvert --to notebook --execute "$name.ipynb" --output-dir "$out" --output "$name.executed.ipynb" \
  --ExecutePreprocessor.timeout=3600 "$@" 2> >(grep -v -e '^[IW][0-9]\{4\} ' -e 'main.go:[0-9]*\] .*Error message' >&2)
jupyter nbconvert --to html "$out/$name.executed.ipynb" --output-dir "$out" --log-level=WARN
echo "executed notebook: $out/$name.executed.ipynb (HTML: $out/$name.executed.html)"
