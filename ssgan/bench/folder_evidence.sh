#!/usr/bin/env bash
# Evidence for "your own images": a folder of 4 classes (SVHN digits 1-4, named by their words) made from
# the first 10,000 SVHN test images, 20 labelled images per class, 300 per class in test/, the rest
# (4,346) unlabelled; the improved recipe against labels alone on the same networks and budget, 3 seeds.
#   ssgan/bench/folder_evidence.sh SSGAN_BINARY WORK_DIR [EPOCHS]
set -euo pipefail
bin="$1" work="$2" epochs="${3:-30}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
mat="${SVHN_MAT:-$root/../shared/data/svhn/test_32x32_first10k.mat}"
export PJRT_PLUGIN_LIBRARY_PATH="${PJRT_PLUGIN_LIBRARY_PATH:-$root/.venv/pjrt}" GOMLX_NO_AUTO_INSTALL=1
mkdir -p "$work"
[ -d "$work/svhn4" ] || (cd "$root" && go run ./ssgan/bench/svhnfolder -mat "$mat" -out "$work/svhn4" -digits 1,2,3,4 -labels 20 -test 300)
"$bin" experiment -data_dir "$work/svhn4" -recipe improved -epochs "$epochs" -seeds 1,2,3 \
  -configs ssgan,supervised_only -out "$work/experiment"
