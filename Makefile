# ssgan-go. On a fresh machine (Go >= 1.26.8 and Python 3 installed) two commands do everything:
#   make main   set up, then run the solution notebook end to end (headless), writing out/notebooks/
#   make test   set up, then run the tests (-short), the notebooks executed headless at a smoke budget, and the lint (CI runs this)
# Both install what they need first (into .venv/) and are safe to re-run.

export GOMLX_NO_AUTO_INSTALL ?= 1
# The XLA CPU plugin that `make setup` installs: with it, engine.NewBackend (ssgan/engine) picks XLA (CUDA first where there is
# a GPU). GOMLX_BACKEND=go on the command line picks the pure-Go backend instead.
export PJRT_PLUGIN_LIBRARY_PATH ?= $(CURDIR)/.venv/pjrt
# glibc keeps the memory XLA frees between steps (~10% faster on XLA CPU; ssgan.MallocTunables says why).
export GLIBC_TUNABLES ?= glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967296:glibc.malloc.arena_max=2
# GOEXPERIMENT=simd (AVX2/AVX-512 matmul in GoMLX's Go backend) makes training ~3x faster where the CPU has AVX2.
export GOEXPERIMENT ?= $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo simd)

# exercises/ holds the learner's stubs: its tests fail until the exercises are done, so `make test` leaves it
# out; ssgan/lessoncheck proves the stubs fail with the friendly message and the solutions pass.
PKGS = $$(go list ./... | grep -v '/exercises$$')

.PHONY: deps setup lint main lab test test-full test-short bench generate ui-check cuda-check gpu-binary train experiment experiment-course experiment-improved experiment-notebook compare

deps:
	go mod download

setup: deps
	bash notebooks/setup.sh

# The main job. Without a GPU the notebook picks its quick setting (a few minutes on 2 cores) and says so;
# SSGAN_SETTING=quick or course chooses.
main: setup
	SSGAN_SETTING=$(SSGAN_SETTING) bash notebooks/run.sh solutions

# JupyterLab for learners, on their own copies of the notebooks (notebooks/my-*.ipynb, git-ignored, made once
# and never overwritten: notebooks/learner_copies.sh); the generated originals are hidden from its file
# browser, so nothing typed in JupyterLab lands in a tracked file. gopls as well (completion and hover help
# in the cells), the Go kernel as the default for new notebooks, and --allow-root where the user is root (as
# in many containers). JupyterLab prints the URL to open (with its token).
LAB_HIDDEN = ["exercises.ipynb","solutions.ipynb","mnist.ipynb","recorded","*.go","*.md","*.sh","*.py","*.txt","__pycache__","*.pyc","*.pyo",".DS_Store","*.so","*.dylib","*~"]
lab: deps
	bash notebooks/setup.sh --lab
	bash notebooks/learner_copies.sh
	SSGAN_SETTING=$(SSGAN_SETTING) JUPYTER_PATH=$(CURDIR)/.venv/share/jupyter .venv/bin/jupyter lab --notebook-dir=notebooks --no-browser \
		--LabApp.default_url=/lab/tree/my-exercises.ipynb '--ContentsManager.hide_globs=$(LAB_HIDDEN)' \
		--MultiKernelManager.default_kernel_name=gonb $(if $(filter 0,$(shell id -u)),--allow-root)

# Unit tests run on the pure-Go backend unless GOMLX_BACKEND says otherwise (XLA's compilation would dominate
# them); the parity tests run XLA and pure Go side by side and must not skip (SSGAN_REQUIRE_XLA); the
# notebooks run on the kernel's default, XLA, at the smoke budget. -short leaves the tests that need longer
# training (accuracy floors, XLA-vs-Go accuracy, the generator's texture) to make test-full. The lint runs
# beside the tests; its output follows theirs, and either failing fails the target.
test: setup
	@mkdir -p out; $(MAKE) --no-print-directory lint >out/lint.log 2>&1 & lint=$$!; \
	SSGAN_REQUIRE_XLA=1 SSGAN_NOTEBOOK_TESTS=1 go test -count=1 -short -timeout 40m $(PKGS); rc=$$?; \
	if wait $$lint; then echo "lint: passed (out/lint.log)"; else cat out/lint.log; echo "lint: FAILED"; rc=1; fi; exit $$rc

# Hygiene: formatting, go.mod in sync with the imports, vet and staticcheck (dot imports are GoMLX's style).
lint: setup
	@files="$$(gofmt -l $$(git ls-files '*.go'))"; [ -z "$$files" ] || { echo "gofmt -l: not formatted: $$files"; exit 1; }
	go mod tidy -diff
	go vet ./...
	.venv/bin/staticcheck -checks 'inherit,-ST1001' ./...

# Everything make test runs, without -short (the longer training tests) and with the notebooks at the quick
# setting (what make main runs) instead of the smoke budget: about 25 minutes on 2 cores.
test-full: setup lint
	SSGAN_TEST_SETTING=quick SSGAN_REQUIRE_XLA=1 SSGAN_NOTEBOOK_TESTS=1 go test -count=1 -timeout 90m $(PKGS)

test-short: deps
	GOMLX_BACKEND=go go test -count=1 -short $(PKGS)

# Go benchmarks of the course-size training step (ssgan/step_speed_test.go); `ssgan bench` times the same step
# with the CLI on this machine's backend; ssgan/bench/ is the evidence folder (the PyTorch twin, recorded results).
bench: setup
	go test -run '^$$' -bench . -benchtime 5x ./ssgan

# Regenerate the stubs, the reference pieces and the notebooks from solutions/ and notebooks/lesson.md.
generate:
	go generate ./...

# The CUDA plugin as the set-up installs it on a GPU machine (SSGAN_CUDA=1 installs it anywhere, about 3 GB),
# proven to load: on a machine without a GPU it must stop only for want of one (ssgan/bench/cuda_check.sh).
cuda-check:
	SSGAN_CUDA=1 bash notebooks/setup.sh
	bash ssgan/bench/cuda_check.sh

# The CLI for a GPU machine without Go (ssgan/bench/gpu_run.sh runs it there): no debug information, only
# glibc needed.
gpu-binary:
	go build -ldflags='-s -w' -o out/gpu/ssgan ./ssgan/cmd/ssgan
	@ls -l out/gpu/ssgan

# Opt-in: JupyterLab in headless Chromium runs a notebook cell with the GoNB kernel; screenshot in out/ui/.
ui-check: setup
	LAB_HIDDEN='$(LAB_HIDDEN)' bash notebooks/ui_check.sh

# The course's full run on real SVHN with the CLI (downloads ~250 MB into data/; minutes on a GPU).
train:
	env -u GOMLX_NO_AUTO_INSTALL go run ./ssgan/cmd/ssgan train -data data -out out/svhn

# Evidence (ssgan/bench/README.md): SSGAN vs supervised-only over 3 seeds on the real 8,000/2,000 split of
# ../shared's SVHN subset, and the same split side by side with the PyTorch twin.
SVHN_SUBSET ?= ../shared/data/svhn/test_32x32_first10k.mat
# Both recorded experiments share the split, the seeds and the dropout setting; only size and length differ.
EXPERIMENT = go run ./ssgan/cmd/ssgan experiment -data_file $(SVHN_SUBSET) -seeds 1,2,3 -drop 0 -input_drop 0

experiment: setup
	$(EXPERIMENT) -out out/experiment -d_size 16 -g_size 8 -epochs 20

# The course's full-size network (d=64, g=32), 25 epochs: ~5 min per SSGAN run and ~2 per supervised-only
# run on 2 cores with XLA CPU (~20 minutes in all; six to seven times that on pure Go).
experiment-course: setup
	$(EXPERIMENT) -out out/experiment-course -d_size 64 -g_size 32 -epochs 25

# The improved recipe (Salimans et al. 2016) on the same split and network: labelled batches every step,
# the paper's losses, the players in turn, averaged weights for the test (decay 0.99: ~100 steps).
experiment-improved: setup
	$(EXPERIMENT) -out out/experiment-improved -d_size 64 -g_size 32 -epochs 25 -recipe improved -ema_decay 0.99

# The notebook's quick setting on its real split, 3 seeds of each of its four runs (the lesson quotes
# notebooks/recorded/notebook_quick_*.json): the first 8,000 images of SVHN's test file train, the next
# 2,000 test. The split is the same in the downloaded data/test_32x32.mat (the notebook fetches it) and in
# ../shared's first 10,000 images; the downloaded file is used when it is there.
NOTEBOOK_DATA ?= $(if $(wildcard data/test_32x32.mat),data/test_32x32.mat,$(SVHN_SUBSET))
# The settings are the notebook's own: the presets ssgan/presets/quick.json and quick-improved.json.
NOTEBOOK_EXPERIMENT = go run ./ssgan/cmd/ssgan experiment -data_file $(NOTEBOOK_DATA) -max_test 2000 -seeds 1,2,3
experiment-notebook: setup
	$(NOTEBOOK_EXPERIMENT) -out out/experiment-notebook-course -preset quick
	$(NOTEBOOK_EXPERIMENT) -out out/experiment-notebook-improved -preset quick-improved

# XLA, pure Go and the PyTorch twin at the course's size, same split and budget (installs torch into .venv-twin).
compare: setup
	bash ssgan/bench/compare.sh $(SVHN_SUBSET) out/compare -epochs 2 -d_size 64 -g_size 32 -seeds 1 -drop 0 -input_drop 0
