#!/usr/bin/env bash
# Runs a notebook end to end, headless, and writes the executed notebook and an HTML copy to out/notebooks/.
#   notebooks/run.sh [solutions|exercises] [extra nbconvert flags]
# On a machine without a GPU the notebook picks its quick setting itself (SSGAN_SETTING=course overrides),
# and says so in its output.
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
# GoNB's own log lines are left out of the output (gonb_log_filter): its info and warning lines, the test
# "Error message" that GoNB (v0.11.3 and v0.11.4) logs at every start (setUpKlog in its main.go), which is not an error,
# and its notice that gopls (editor help, which headless runs do not use; `make lab` installs it) is missing.
gonb_log_filter() {
  awk '
    /^[IW][0-9][0-9][0-9][0-9] / { next }
    /main\.go:[0-9]+\] .*Error message/ { next }
    held != "" {
      if ($0 ~ /^Program gopls is not installed/) { held = ""; notice = 1; fences = 0; next }
      print held; held = ""
    }
    /goexec\.go:[0-9]+\] / { held = $0; next }
    notice && /^```/ { if (++fences == 2) notice = 0; next }
    notice { next }
    { print; fflush() }
    END { if (held != "") print held }'
}
# A cell may run for an hour in the quick setting; the course setting's training cells take hours on a
# CPU (the notebook's timing cell estimates them), so there no cell is timed out (-1).
timeout=3600
[ "${SSGAN_SETTING:-}" = course ] && timeout=-1
jupyter nbconvert --to notebook --execute "$name.ipynb" --output-dir "$out" --output "$name.executed.ipynb" \
  --ExecutePreprocessor.timeout=$timeout "$@" 2> >(gonb_log_filter >&2)
jupyter nbconvert --to html "$out/$name.executed.ipynb" --output-dir "$out" --log-level=WARN
echo "executed notebook: $out/$name.executed.ipynb (HTML: $out/$name.executed.html)"
