#!/usr/bin/env bash
# Opt-in check of the learner's path in a real browser (make ui-check): JupyterLab on localhost in headless
# Chromium (Debian's package), on the learner's copies of the notebooks (make lab's notebooks/my-*.ipynb;
# the tracked files are never opened). notebooks/ui_check.py runs the first training cell of
# my-solutions.ipynb (screenshots while it trains and after: out/ui/training.png, trained.png) and answers
# exercise 1 in my-exercises.ipynb (its %test passes; saved). Then this script proves the answer is safe:
# it is in the saved notebook, `go generate ./...` leaves it there, the tracked files are unchanged, and
# `make test` passes with the answer in place (UI_CHECK_QUICK=1: only the tests that compare generated files). Installs Chromium and Playwright (which drives it) if missing.
# SSGAN_SETTING picks the notebook's setting (default: quick, as a learner without a GPU gets).
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
SSGAN_SETTING="${SSGAN_SETTING:-quick}" jupyter lab --no-browser --ip=127.0.0.1 --port=$port --IdentityProvider.token=$token --LabApp.expose_app_in_browser=True --allow-root \
  --notebook-dir="$root/notebooks" ${LAB_HIDDEN:+"--ContentsManager.hide_globs=$LAB_HIDDEN"} >"$root/out/ui/jupyterlab.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$port/api/status?token=$token" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$root/out/ui/jupyterlab.log" >&2; exit 1; }
  sleep 1
done
before="$(cd "$root" && git status --porcelain --untracked-files=no)"
"$venv/bin/python" "$root/notebooks/ui_check.py" "http://127.0.0.1:$port" "$token" \
  "$(command -v chromium)" "$root/out/ui"
kill $server 2>/dev/null || true
marker="ui-check: the learner's answer"
grep -q "$marker" "$root/notebooks/my-exercises.ipynb" || { echo "ui_check: the saved my-exercises.ipynb lacks the answer" >&2; exit 1; }
(cd "$root" && go generate ./...)
grep -q "$marker" "$root/notebooks/my-exercises.ipynb" || { echo "ui_check: go generate removed the learner's answer" >&2; exit 1; }
after="$(cd "$root" && git status --porcelain --untracked-files=no)"
[ "$before" = "$after" ] || { echo "ui_check: tracked files changed during the check:" >&2; echo "$after" >&2; exit 1; }
if [ "${UI_CHECK_QUICK:-0}" = 1 ]; then
  (cd "$root" && go test -count=1 ./solutions/... >/dev/null) || { echo "ui_check: the generated-files tests fail after the learner's session" >&2; exit 1; }
  tests="the generated-files tests pass (UI_CHECK_QUICK=1: not the whole make test)"
else
  (cd "$root" && make --no-print-directory test >"$root/out/ui/make_test.log" 2>&1) || { tail -20 "$root/out/ui/make_test.log" >&2; echo "ui_check: make test fails with the learner's answers in place (out/ui/make_test.log)" >&2; exit 1; }
  grep -q "$marker" "$root/notebooks/my-exercises.ipynb" || { echo "ui_check: make test removed the learner's answer" >&2; exit 1; }
  tests="make test passes with it in place (out/ui/make_test.log)"
fi
echo "ui_check: passed: the answer is in notebooks/my-exercises.ipynb after go generate, tracked files unchanged, $tests; screenshots in out/ui/"
