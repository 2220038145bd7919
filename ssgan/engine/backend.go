package engine

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/gomlx/backends/default" // Registers the "xla" and "go" backends.
)

// BackendEnv is the variable that picks a backend explicitly, e.g. "go", "xla:cpu", "xla:cuda", or
// "xla:/abs/path/to/plugin.so" for a PJRT plugin already on disk. A plain "go" gets the options of
// goBackendConfig; "go:..." with options is used as given.
const BackendEnv = "GOMLX_BACKEND"

// CPUPluginName is the file name under which the set-up (notebooks/setup.sh) links the PJRT CPU plugin
// into .venv/pjrt/, the name go-xla looks for when asked for "xla:cpu".
const CPUPluginName = "pjrt_c_api_cpu_plugin.so"

// CUDAPluginPath is where the set-up links the CUDA PJRT plugin on a machine with an NVIDIA GPU, relative
// to .venv/pjrt/: inside the nvidia/ folder that holds NVIDIA's libraries, because the plugin looks for
// them in its own folder's parent's nvidia/ (its RPATH, $ORIGIN/../nvidia), and so does go-xla.
const CUDAPluginPath = "nvidia/pjrt_c_api_cuda_plugin.so"

// NewBackend returns the backend to train on, and writes one line on w naming it and how to change it.
//
// With GOMLX_BACKEND set, exactly that one: an error if it cannot start (naming what was asked and the
// fallback that unsetting it gives). Otherwise, in this order:
//  1. XLA with CUDA, when the machine has an NVIDIA GPU (/dev/nvidia0): the plugin that the set-up installs
//     there (FindPlugin(CUDAPluginPath)), else one go-xla finds itself ("xla:cuda");
//  2. XLA on the CPU, with the plugin that the set-up installs (FindPlugin(CPUPluginName));
//  3. unless GOMLX_NO_AUTO_INSTALL is set, XLA with the plugins GoMLX downloads itself;
//  4. GoMLX's pure-Go backend, which needs nothing.
//
// A GPU that no CUDA plugin can drive gets its own line saying what to run.
func NewBackend(w io.Writer) (compute.Backend, error) {
	say := func(format string, args ...any) {
		if w != nil {
			fmt.Fprintf(w, "ssgan: "+format+"\n", args...)
		}
	}
	if config, ok := os.LookupEnv(BackendEnv); ok && config != "" {
		b, err := Open(config)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %s; fix it, or unset %s to fall back to %s", BackendEnv, config,
				firstLine(err.Error()), BackendEnv, fallbackName())
		}
		say("backend %s (from %s=%s)", DescribeBackend(b), BackendEnv, config)
		return b, nil
	}
	plan := planBackends(hasNvidiaGPU(), FindPlugin(CUDAPluginPath), FindPlugin(CPUPluginName), os.Getenv("GOMLX_NO_AUTO_INSTALL") == "")
	var why []string
	for i, c := range plan.candidates {
		if i == plan.firstCPU && plan.gpuNote != "" {
			say("%s (%s)", plan.gpuNote, strings.Join(why, "; "))
		}
		b, err := Open(c.config)
		if err != nil {
			why = append(why, c.what+": "+firstLine(err.Error()))
			continue
		}
		if c.config == "go" {
			reason := "no XLA plugin found"
			if len(why) > 0 {
				reason = strings.Join(why, "; ")
			}
			say("backend pure Go (%s). For XLA, several times faster: run `make setup` in the repository (installs the "+
				"CPU plugin into .venv/pjrt/), or set %s=xla:/abs/path/to/plugin.so", reason, BackendEnv)
		} else {
			say("backend %s (%s; %s)", DescribeBackend(b), c.what, c.other)
		}
		return b, nil
	}
	return nil, fmt.Errorf("no backend could start: %s", strings.Join(why, "; "))
}

// backendPlan is the order in which NewBackend tries backends when GOMLX_BACKEND is unset.
type backendPlan struct {
	candidates []candidate
	firstCPU   int    // The first candidate that is not CUDA.
	gpuNote    string // Said before the first CPU candidate when the machine has a GPU: no CUDA plugin started.
}

type candidate struct {
	config string // For compute.NewWithConfig.
	what   string // Where it comes from, for the backend line.
	other  string // How to pick another.
}

// planBackends decides the order from what the machine has: an NVIDIA GPU, the set-up's CUDA and CPU
// plugins ("" when absent), and whether GoMLX may download plugins itself.
func planBackends(gpu bool, cudaPlugin, cpuPlugin string, autoInstall bool) backendPlan {
	var p backendPlan
	cpuOrGo := fmt.Sprintf("%s=go picks the pure-Go backend", BackendEnv)
	if gpu {
		if cudaPlugin != "" {
			p.candidates = append(p.candidates, candidate{"xla:" + cudaPlugin, "CUDA plugin " + cudaPlugin,
				fmt.Sprintf("an NVIDIA GPU was found; %s=xla:cpu or go picks another", BackendEnv)})
		}
		p.candidates = append(p.candidates, candidate{"xla:cuda", "go-xla's CUDA plugin",
			fmt.Sprintf("an NVIDIA GPU was found; %s=xla:cpu or go picks another", BackendEnv)})
		p.gpuNote = "an NVIDIA GPU was found, but no CUDA plugin started: run `make setup` in the repository " +
			"(it installs the CUDA plugin into .venv/pjrt/nvidia/ where it finds a GPU); training goes on without the GPU"
		if cudaPlugin != "" {
			p.gpuNote = "an NVIDIA GPU was found, but the CUDA plugin " + cudaPlugin + " did not start (the error follows); " +
				"training goes on without the GPU"
		}
	}
	p.firstCPU = len(p.candidates)
	if cpuPlugin != "" {
		p.candidates = append(p.candidates, candidate{"xla:" + cpuPlugin, "plugin " + cpuPlugin, cpuOrGo})
	}
	if autoInstall {
		p.candidates = append(p.candidates, candidate{"xla", "GoMLX's installed plugins", cpuOrGo})
	}
	p.candidates = append(p.candidates, candidate{config: "go"})
	return p
}

// FindCPUPlugin returns the absolute path of the PJRT CPU plugin, or "" if there is none.
func FindCPUPlugin() string { return FindPlugin(CPUPluginName) }

// FindPlugin returns the absolute path of a plugin the set-up installs (CPUPluginName, CUDAPluginPath), or
// "" if there is none: the first in PJRT_PLUGIN_LIBRARY_PATH's directories, else in .venv/pjrt/ of the
// working directory or of the nearest directory above it that has one (so `go test` in a package
// directory finds the repository's).
func FindPlugin(name string) string {
	var dirs []string
	for _, d := range strings.Split(os.Getenv("PJRT_PLUGIN_LIBRARY_PATH"), ":") {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, filepath.Join(d, ".venv", "pjrt"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range dirs {
		p, err := filepath.Abs(filepath.Join(d, name))
		if err != nil {
			continue
		}
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

func hasNvidiaGPU() bool {
	_, err := os.Stat("/dev/nvidia0")
	return err == nil
}

// fallbackName says what NewBackend would pick with GOMLX_BACKEND unset (without trying CUDA).
func fallbackName() string {
	if p := FindCPUPlugin(); p != "" {
		return "the XLA CPU plugin " + p
	}
	return "the pure-Go backend"
}

// DescribeBackend names a backend for people: "XLA CPU", "XLA CUDA", "pure Go".
func DescribeBackend(b compute.Backend) string {
	if strings.HasPrefix(strings.ToLower(b.Name()), "go") {
		return "pure Go"
	}
	d := strings.ToLower(b.Description())
	for _, dev := range []string{"cuda", "rocm", "tpu"} {
		if strings.Contains(d, dev) {
			return "XLA " + strings.ToUpper(dev)
		}
	}
	if strings.HasPrefix(d, "xla") || b.Name() == "xla" {
		return "XLA CPU"
	}
	return b.Name()
}

// goBackendConfig is what we ask of GoMLX's pure-Go backend when "go" is requested without options.
//
// Its default worker pool (2 x GOMAXPROCS workers) can deadlock: when every worker runs a node that is
// itself a large matrix multiply, each multiply waits for a free worker to fan out to, and none is ever
// freed (seen here: a d=32 training run hung after ~130 steps, every goroutine in workerspool's Wait).
// With unlimited parallelism nodes never wait for a worker, and it measured slightly faster too
// (0.85 vs 0.90 s per course-size step on 2 cores).
const goBackendConfig = "go:parallelism=-1"

// Open starts the backend a configuration string names ("go", "xla:cpu", "xla:/path/plugin.so"), with a
// panic of its constructor returned as an error.
func Open(config string) (b compute.Backend, err error) {
	defer func() { // The backend constructors panic on some failures.
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	if config == "go" {
		config = goBackendConfig
		// The Go backend prints a line to stdout for every option it sets; in a notebook that would
		// repeat in every cell, so it is silenced while the backend is created.
		if devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
			stdout := os.Stdout
			os.Stdout = devNull
			defer func() { os.Stdout = stdout; devNull.Close() }()
		}
	}
	return compute.NewWithConfig(config)
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

// IsAccelerator says whether the backend runs on a GPU or TPU (an XLA backend with a CUDA, ROCm or TPU
// plugin), where the course's full-size run takes minutes rather than hours.
func IsAccelerator(b compute.Backend) bool {
	d := strings.ToLower(b.Description())
	return strings.HasPrefix(d, "xla") && (strings.Contains(d, "cuda") || strings.Contains(d, "rocm") || strings.Contains(d, "tpu"))
}

// MallocTunables is the GLIBC_TUNABLES setting that the CLI (and the set-up, for the notebook kernel) runs
// under: glibc keeps the memory that XLA frees instead of handing it back to the kernel.
//
// XLA on the CPU allocates its buffers, the largest of them tens of megabytes, afresh for every
// execution. With glibc's defaults these are mapped and unmapped each step, and the kernel then zeroes
// every new page on first touch: a profile of a course-size step (perf, XLA CPU, 2 cores) showed 18% of
// the time in the kernel, most of it page faults. Raising the mmap and trim thresholds and keeping two
// arenas (one for each of our two cores' threads) measured 0.228 -> 0.203 s per step; the mmap threshold
// alone, or the trim threshold and arenas without it, changed nothing.
const MallocTunables = "glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967296:glibc.malloc.arena_max=2"
