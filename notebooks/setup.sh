#!/usr/bin/env bash
# Installs, idempotently, what the notebooks and the CLI need, all inside the repository's .venv/:
#   the XLA CPU plugin (notebooks/requirements-xla.txt, pinned by hash) linked as .venv/pjrt/pjrt_c_api_cpu_plugin.so,
#   JupyterLab and nbconvert (pinned in notebooks/requirements.txt), the GoNB Go kernel v0.11.5 (the version
#   go.mod pins), goimports (which GoNB runs on every cell), staticcheck (for make test),
#   and the kernel's registration, with an environment set for fast training;
#   on a machine with an NVIDIA GPU (or with SSGAN_CUDA=1) the CUDA plugin and its libraries, in .venv/pjrt/nvidia/;
#   with --lab also gopls, which GoNB uses only for an editor's completion and hover help (headless
#   execution does not need it, and it takes minutes to build).
# Re-running it does only what is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
GONB_VERSION=v0.11.5
TOOLS_VERSION=v0.44.0 # golang.org/x/tools: goimports; builds with Go 1.26.
GOPLS_VERSION=v0.21.1
STATICCHECK_VERSION=v0.8.2 # honnef.co/go/tools (staticcheck 2026.x), builds with Go 1.26.

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp="$venv/.requirements.sha"
want="$(sha256sum "$root/notebooks/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/notebooks/requirements.txt"
  echo "$want" >"$stamp"
fi

# The XLA CPU plugin (see requirements-xla.txt), pinned by hash, linked where engine.NewBackend (ssgan/engine) looks.
xla_stamp="$venv/.requirements-xla.sha"
xla_want="$(sha256sum "$root/notebooks/requirements-xla.txt" | cut -d' ' -f1)"
if [ "$(cat "$xla_stamp" 2>/dev/null)" != "$xla_want" ] || [ ! -e "$venv/pjrt/pjrt_c_api_cpu_plugin.so" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check --no-deps --require-hashes -r "$root/notebooks/requirements-xla.txt"
  so="$("$venv/bin/python" -c 'import fastatomstruct_xla_cpu, os; print(os.path.join(os.path.dirname(fastatomstruct_xla_cpu.__file__), "libpjrt_cpu.so"))')"
  [ -f "$so" ] || { echo "setup: the XLA CPU plugin package has no libpjrt_cpu.so at $so" >&2; exit 1; }
  mkdir -p "$venv/pjrt"
  ln -sf "$so" "$venv/pjrt/pjrt_c_api_cpu_plugin.so"
  echo "$xla_want" >"$xla_stamp"
fi

# CUDA, where the machine has an NVIDIA GPU (nvidia-smi lists one, or /dev/nvidia0 exists), or with
# SSGAN_CUDA=1 on any machine (SSGAN_CUDA=0: never): the CUDA 12 PJRT plugin and NVIDIA's libraries
# (requirements-cuda12.txt, about 3 GB, pinned by hash), laid out as the plugin and go-xla look for them:
#   .venv/pjrt/nvidia/pjrt_c_api_cuda_plugin.so  a link to the plugin (ssgan.CUDAPluginPath)
#   .venv/pjrt/nvidia/<library>/                 links to the wheels' nvidia/<library>/ folders
# The plugin finds its libraries in $ORIGIN/../nvidia/<library>/lib (its RPATH). CUDA 12.9's libraries run
# on drivers from 525 on (CUDA's minor-version compatibility); an older driver is named and skipped.
gpu=""
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then gpu=yes; fi
[ -e /dev/nvidia0 ] && gpu=yes
want_cuda="${SSGAN_CUDA:-${gpu:+1}}"
if [ "$want_cuda" = 1 ] && [ -n "$gpu" ] && command -v nvidia-smi >/dev/null 2>&1; then
  driver="$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1)"
  if [ -n "$driver" ] && [ "${driver%%.*}" -lt 525 ]; then
    echo "setup: NVIDIA driver $driver is older than 525, which CUDA 12 needs: no CUDA plugin installed (training uses the CPU)" >&2
    want_cuda=0
  fi
fi
if [ "$want_cuda" = 1 ]; then
  cuda_stamp="$venv/.requirements-cuda12.sha"
  cuda_want="$(sha256sum "$root/notebooks/requirements-cuda12.txt" | cut -d' ' -f1)"
  if [ "$(cat "$cuda_stamp" 2>/dev/null)" != "$cuda_want" ] || [ ! -e "$venv/pjrt/nvidia/pjrt_c_api_cuda_plugin.so" ]; then
    echo "setup: installing the CUDA 12 plugin and NVIDIA's libraries (about 3 GB of downloads)"
    "$venv/bin/pip" install -q --disable-pip-version-check --no-deps --require-hashes -r "$root/notebooks/requirements-cuda12.txt"
    site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    so="$site/jax_plugins/xla_cuda12/xla_cuda_plugin.so"
    [ -f "$so" ] || { echo "setup: the CUDA plugin package has no xla_cuda_plugin.so at $so" >&2; exit 1; }
    mkdir -p "$venv/pjrt/nvidia"
    for lib in "$site"/nvidia/*/; do
      ln -sfn "${lib%/}" "$venv/pjrt/nvidia/$(basename "$lib")"
    done
    ln -sf "$so" "$venv/pjrt/nvidia/pjrt_c_api_cuda_plugin.so"
    echo "$cuda_want" >"$cuda_stamp"
  fi
fi

export GOBIN="$venv/bin"
if [ ! -x "$GOBIN/gonb" ] || [ ! -e "$venv/.gonb-$GONB_VERSION" ]; then
  # `go install github.com/janpfeifer/gonb@version` needs the module proxy's version list, which some proxies
  # refuse; downloading the exact version and installing from its directory does not.
  dir="$(cd "$root" && go mod download -json "github.com/janpfeifer/gonb@$GONB_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  (cd "$dir" && GOFLAGS=-mod=mod go install .)
  touch "$venv/.gonb-$GONB_VERSION"
fi
[ -x "$GOBIN/goimports" ] || (cd /tmp && go install "golang.org/x/tools/cmd/goimports@$TOOLS_VERSION")
if [ "${1:-}" = "--lab" ]; then
  [ -x "$GOBIN/gopls" ] || (cd /tmp && go install "golang.org/x/tools/gopls@$GOPLS_VERSION")
fi
# staticcheck, for `make test`'s hygiene checks.
[ -x "$GOBIN/staticcheck" ] && [ -e "$venv/.staticcheck-$STATICCHECK_VERSION" ] ||
  { (cd /tmp && go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION") && touch "$venv/.staticcheck-$STATICCHECK_VERSION"; }

# Register the kernel inside the venv, where its Jupyter looks first.
kernel="$venv/share/jupyter/kernels/gonb/kernel.json"
JUPYTER_DATA_DIR="$venv/share/jupyter" PATH="$GOBIN:$PATH" "$GOBIN/gonb" --install --force_deps --logtostderr=false >/dev/null 2>&1
# The kernel's environment: the venv's tools on PATH; GOEXPERIMENT=simd (GoMLX's AVX2/AVX-512 matrix
# multiply, ~3x faster training on the pure-Go backend) where the CPU has AVX2.
simd=""
grep -qw avx2 /proc/cpuinfo 2>/dev/null && simd=simd
# GLIBC_TUNABLES: glibc keeps the memory XLA frees between steps (~10% faster; ssgan.MallocTunables says why).
tunables="glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967296:glibc.malloc.arena_max=2"
"$venv/bin/python" - "$kernel" "$GOBIN:$PATH" "$simd" "$venv/pjrt" "$tunables" <<'PY'
import json, sys
path, search_path, simd, pjrt, tunables = sys.argv[1:]
spec = json.load(open(path))
env = spec.setdefault("env", {})
env["PATH"] = search_path
env["PJRT_PLUGIN_LIBRARY_PATH"] = pjrt  # engine.NewBackend (ssgan/engine) picks the XLA CPU plugin there.
env["GOMLX_NO_AUTO_INSTALL"] = "1"
env["GLIBC_TUNABLES"] = tunables
# Every cell is a Go build; without DWARF debug information (which GoNB's cells do not use) the link takes
# half the time: 2.1 s -> 1.1 s for a program of the lesson's imports (2-core Intel Xeon, 2026-12-05).
env["GOFLAGS"] = "-ldflags=-w"
if simd:
    env["GOEXPERIMENT"] = simd
json.dump(spec, open(path, "w"), indent=1)
PY
echo "setup: JupyterLab, GoNB $GONB_VERSION, goimports$([ -x "$GOBIN/gopls" ] && echo ", gopls") and the XLA CPU plugin ($venv/pjrt)$([ -e "$venv/pjrt/nvidia/pjrt_c_api_cuda_plugin.so" ] && echo " and CUDA plugin") ready in $venv"
