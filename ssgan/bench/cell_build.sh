#!/usr/bin/env bash
# What GoNB pays on every cell before the cell's code runs: it writes the notebook's declarations and the
# cell into one Go program, builds it with `go build` (warm build cache: only the link is new work) and
# starts the binary. This builds a program with the lesson's imports the same way, ROUNDS times for each
# linker setting, and times the build and a start of the binary (Go's init of every imported package).
#   ssgan/bench/cell_build.sh [ROUNDS]
set -euo pipefail
rounds="${1:-5}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
w="$(mktemp -d)"
trap 'rm -rf "$w"' EXIT
cat >"$w/main.go" <<'GO'
package main

import (
	"fmt"
	"os"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/lessoncheck"
	"github.com/ssgan-go/ssgan-go/ssgan/notebook"
	"github.com/ssgan-go/ssgan-go/ssgan/report"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

var _, _, _ = Add, optimizer.Adam, (*model.Variable)(nil)
var _, _, _ = report.EncodePNG, run.ReadMetrics, lessoncheck.Pass

func main() {
	if len(os.Args) > 1 { // A cell that starts the backend, as most of the lesson's do.
		notebook.Backend()
	}
	fmt.Println(ssgan.NumClasses, data.NumClasses)
}
GO
printf 'module cellbuild\n\ngo 1.26\n' >"$w/go.mod"
(cd "$w" && go mod edit -require=github.com/ssgan-go/ssgan-go@v0.0.0 -replace=github.com/ssgan-go/ssgan-go="$root" &&
  cp "$root/go.sum" . && go mod tidy >/dev/null 2>&1 && go build -o bin . )  # Warms the build cache.
export PJRT_PLUGIN_LIBRARY_PATH="${PJRT_PLUGIN_LIBRARY_PATH:-$root/.venv/pjrt}" GOMLX_NO_AUTO_INSTALL=1
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; go $(go env GOVERSION)"
printf '%-22s %10s %10s %12s %10s\n' "link flags" "build (s)" "start (s)" "+backend (s)" "size (MB)"
for flags in "" "-ldflags=-w" "-ldflags=-s -w"; do
  b=0 st=0 sb=0
  for _ in $(seq "$rounds"); do
    echo "var _ = \"$RANDOM$RANDOM\"" >>"$w/main.go"; rm -f "$w/bin"  # New code: a new main package, as a new cell.
    b=$(echo "$b + $(cd "$w" && secs go build ${flags:+"$flags"} -o bin .)" | bc)
    st=$(echo "$st + $(secs "$w/bin")" | bc)
    sb=$(echo "$sb + $(secs "$w/bin" backend)" | bc)
  done
  printf '%-22s %10.2f %10.2f %12.2f %10.1f\n' "${flags:-(default)}" "$(echo "$b / $rounds" | bc -l)" \
    "$(echo "$st / $rounds" | bc -l)" "$(echo "$sb / $rounds" | bc -l)" "$(echo "$(stat -c %s "$w/bin") / 1048576" | bc -l)"
done
