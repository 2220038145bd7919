package ssgan

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/gomlx/backends/default" // Registers the "xla" and "go" backends.
)

// BackendEnv is the variable that picks a backend explicitly, e.g. "go", "xla:cpu", "xla:cuda", or
// "xla:/abs/path/to/pjrt_c_api_cuda_plugin.so" for a plugin already on disk (no download). A plain "go"
// gets the options of goBackendConfig; "go:..." with options is used as given.
const BackendEnv = "GOMLX_BACKEND"

// NewBackend returns the backend to train on.
//
// With GOMLX_BACKEND set, that one (an error if it cannot start). Otherwise XLA/PJRT, which picks CUDA
// when a GPU plugin is installed and else CPU (and, unless GOMLX_NO_AUTO_INSTALL is set, tries to install
// the plugins first); if no plugin can be had, GoMLX's pure-Go backend, with one line on w saying so.
func NewBackend(w io.Writer) (compute.Backend, error) {
	if config, ok := os.LookupEnv(BackendEnv); ok && config != "" {
		b, err := newBackend(config)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", BackendEnv, config, err)
		}
		return b, nil
	}
	b, err := newBackend("xla")
	if err == nil {
		return b, nil
	}
	if w != nil {
		fmt.Fprintf(w, "ssgan: no XLA/PJRT plugin available (%s); using the pure-Go backend. "+
			"For XLA, install a PJRT plugin or set %s=xla:/path/to/pjrt_plugin.so\n", firstLine(err.Error()), BackendEnv)
	}
	return newBackend("go")
}

// goBackendConfig is what we ask of GoMLX's pure-Go backend when "go" is requested without options.
//
// Its default worker pool (2 x GOMAXPROCS workers) can deadlock: when every worker runs a node that is
// itself a large matrix multiply, each multiply waits for a free worker to fan out to, and none is ever
// freed (seen here: a d=32 training run hung after ~130 steps, every goroutine in workerspool's Wait).
// With unlimited parallelism nodes never wait for a worker, and it measured slightly faster too
// (0.85 vs 0.90 s per course-size step on 2 cores).
const goBackendConfig = "go:parallelism=-1"

func newBackend(config string) (b compute.Backend, err error) {
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
