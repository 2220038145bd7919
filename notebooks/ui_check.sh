#!/usr/bin/env bash
# Opt-in check of the learner's real experience: JupyterLab on localhost, the learner's copy of the solution
# notebook (make lab's, notebooks/my-solutions.ipynb: the tracked files are never opened) in
# headless Chromium (Debian's package), cells run with the GoNB kernel, a screenshot saved to
# out/ui/jupyterlab.png. Installs Chromium and Playwright (which drives it) if missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
bash "$root/notebooks/setup.sh" >/dev/null
if ! command -v chromium >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r "$root/notebooks/ui-requirements.txt"
mkdir -p "$root/out/ui"
bash "$root/notebooks/learner_copies.sh"
port=8899
token=ssgan-ui-check
export PATH="$venv/bin:$PATH" JUPYTER_PATH="$venv/share/jupyter"
jupyter lab --no-browser --ip=127.0.0.1 --port=$port --IdentityProvider.token=$token --LabApp.expose_app_in_browser=True --allow-root \
  --notebook-dir="$root/notebooks" >"$root/out/ui/jupyterlab.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$port/api/status?token=$token" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$root/out/ui/jupyterlab.log" >&2; exit 1; }
  sleep 1
done
"$venv/bin/python" "$root/notebooks/ui_check.py" "http://127.0.0.1:$port/lab/tree/my-solutions.ipynb?token=$token" \
  "$(command -v chromium)" "$root/out/ui/jupyterlab.png"
