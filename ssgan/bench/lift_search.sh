#!/usr/bin/env bash
# The measured search behind the notebook's live lift section (issue 26): the improved recipe, with the GAN
# and on the labels alone, over 3 seeds, at budgets a 2-core CPU trains in minutes, on the real
# 8,000/2,000 split of the first 10,000 SVHN test images (the split the notebook's quick setting uses).
# Each candidate writes OUT/<name>/ (experiment.md, experiment.json, experiment.png); a finished candidate
# is skipped, so the script resumes after an interruption by running it again. At the end OUT/lift_search.md
# puts every finished candidate side by side with its lift per seed.
#   ssgan/bench/lift_search.sh SSGAN_BINARY OUT [NAME=FLAGS ...]
set -euo pipefail
bin="$1" out="$2"
shift 2
root="$(cd "$(dirname "$0")/../.." && pwd)"
svhn="${SVHN_SUBSET:-$root/../shared/data/svhn/test_32x32_first10k.mat}"
export PJRT_PLUGIN_LIBRARY_PATH="${PJRT_PLUGIN_LIBRARY_PATH:-$root/.venv/pjrt}" GOMLX_NO_AUTO_INSTALL=1
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967296:glibc.malloc.arena_max=2}"
candidates=("$@")
[ ${#candidates[@]} -gt 0 ] || candidates=(
  "d32g32e10=-d_size 32 -g_size 32 -batch 64 -epochs 10"
  "d16g16e20=-d_size 16 -g_size 16 -batch 64 -epochs 20"
  "d32g16e15=-d_size 32 -g_size 16 -batch 64 -epochs 15"
)
for c in "${candidates[@]}"; do
  name="${c%%=*}" flags="${c#*=}"
  if [ -f "$out/$name/experiment.json" ]; then echo "$name: done"; continue; fi
  rm -rf "$out/$name"
  echo "$name: $flags ($(date -u +%H:%M))"
  # shellcheck disable=SC2086
  "$bin" experiment -data_file "$svhn" -max_test 2000 -seeds 1,2,3 -drop 0 -input_drop 0 -recipe improved -ema_decay 0.99 \
    $flags -out "$out/$name" >"$out/$name.log" 2>&1
  grep -E '^\| (ssgan|supervised_only)' "$out/$name/experiment.md" || true
done
python3 - "$out" <<'PY'
import json, os, statistics, sys
out = sys.argv[1]
lines = ["| candidate | GAN (mean ± sd) | labels alone | lift per seed (1, 2, 3) | mean lift | min per GAN run |", "|---|---|---|---|---|---|"]
for name in sorted(os.listdir(out)):
    path = os.path.join(out, name, "experiment.json")
    if not os.path.isfile(path):
        continue
    rep = json.load(open(path))
    s = {x["config"]: x for x in rep["summaries"]}
    g, l = s["ssgan"]["final_test_accs"], s["supervised_only"]["final_test_accs"]
    lifts = [100 * (a - b) for a, b in zip(g, l)]
    lines.append(f"| {name} | {100*s['ssgan']['final_test_acc_mean']:.1f}% ± {100*s['ssgan']['final_test_acc_sd']:.1f} "
                 f"| {100*s['supervised_only']['final_test_acc_mean']:.1f}% ± {100*s['supervised_only']['final_test_acc_sd']:.1f} "
                 f"| {', '.join(f'{x:+.1f}' for x in lifts)} | {statistics.mean(lifts):+.1f} | {s['ssgan']['run_seconds_mean']/60:.1f} |")
open(os.path.join(out, "lift_search.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
