#!/usr/bin/env bash
# The solution notebook up to and including its first training cell, headless (make main's path, run.sh),
# live panel on vs off (NewPanel's on forced false), alternating on, off, off, on. Same tree and data.
set -u
# ssgan/bench/panel_ab.sh [TREE]   (a clone with make setup done and ../shared beside it; results in $OUT)
out="$(mkdir -p "${OUT:-/tmp/panel_ab}" && cd "${OUT:-/tmp/panel_ab}" && pwd)"
cd "${1:-$(dirname "$0")/../..}"
# It edits ssgan/notebook/panel.go between runs and restores it from git: refuse a tree with changes there.
git diff --quiet -- ssgan/notebook/panel.go || { echo "panel_ab: ssgan/notebook/panel.go has uncommitted changes; run this in a clone" >&2; exit 1; }
# The quick setting reads the first 10,000 images of SVHN's test file: the shared copy serves when none is there.
mkdir -p data && { [ -f data/test_32x32.mat ] || cp ../shared/data/svhn/test_32x32_first10k.mat data/test_32x32.mat; }
.venv/bin/python - <<'PY'
import json
nb = json.load(open("notebooks/solutions.ipynb"))
cells = nb["cells"]
i = next(k for k, c in enumerate(cells) if c["cell_type"] == "code" and "ssgan.Train(ctx" in "".join(c["source"]) and "NewPanel" in "".join(c["source"]))
nb["cells"] = cells[: i + 1]
json.dump(nb, open("notebooks/abhead.ipynb", "w"))
print("abhead.ipynb: cells 0..%d of solutions.ipynb" % i)
PY
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%FT%T); commit $(git rev-parse --short HEAD)"
n=0
for v in ${VARIANTS:-on off off on}; do
  n=$((n+1))
  git checkout -q ssgan/notebook/panel.go
  if [ $v = off ]; then
    sed -i 's/on: gonbui.IsNotebook}/on: false}/' ssgan/notebook/panel.go
    grep -q 'on: false}' ssgan/notebook/panel.go || { echo "panel_ab: could not turn the panel off in panel.go" >&2; exit 1; }
  fi
  rm -f out/notebooks/abhead.executed.ipynb
  s=$(date +%s.%N)
  SSGAN_SETTING=quick bash notebooks/run.sh abhead > $out/mini_${n}_$v.log 2>&1; rc=$?
  e=$(date +%s.%N)
  .venv/bin/python ssgan/bench/notebook_times.py out/notebooks/abhead.executed.ipynb > $out/mini_${n}_$v.times 2>&1
  train=$(grep -E 'TRAIN' $out/mini_${n}_$v.times | head -1)
  imgs=$(.venv/bin/python -c "
import json; nb=json.load(open('out/notebooks/abhead.executed.ipynb')); c=nb['cells'][-1]
print(sum(1 for o in c.get('outputs',[]) for k in o.get('data',{}) if k=='image/png') + sum(''.join(o.get('data',{}).get('text/html','')).count('<img') for o in c.get('outputs',[])))")
  echo "run $n panel $v: rc=$rc notebook wall $(python3 -c "print(round($e-$s,1))") s; training cell: $train; pictures in it: $imgs; $(grep -o 'Epoch 10/10.*test acc [0-9.]*' out/notebooks/abhead.executed.ipynb | head -1 | sed 's/train acc.*test/test/')"
done
git checkout -q ssgan/notebook/panel.go
rm -f notebooks/abhead.ipynb
