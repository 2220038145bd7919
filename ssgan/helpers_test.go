package ssgan

import (
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
)

var (
	backendOnce sync.Once
	testBackend compute.Backend
	backendErr  error
)

// backend returns one backend for all tests: GOMLX_BACKEND if set, else the pure-Go one, so tests never
// try to download XLA.
func backend(t testing.TB) compute.Backend {
	t.Helper()
	backendOnce.Do(func() {
		if os.Getenv(engine.BackendEnv) == "" {
			os.Setenv(engine.BackendEnv, "go")
		}
		testBackend, backendErr = engine.NewBackend(nil)
	})
	if backendErr != nil {
		t.Fatal(backendErr)
	}
	return testBackend
}

// randSlice returns n values uniform in [-1, 1).
func randSlice(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(2*rng.Float64() - 1)
	}
	return out
}

// run1 executes a one-output graph function on float32 inputs with the given dims.
func run1(t testing.TB, fn func(inputs []*Node) *Node, inputs ...*tensors.Tensor) *tensors.Tensor {
	t.Helper()
	e, err := NewExec(backend(t), func(xs []*Node) *Node { return fn(xs) })
	if err != nil {
		t.Fatal(err)
	}
	args := make([]any, len(inputs))
	for i, in := range inputs {
		args[i] = in
	}
	out, err := e.Call(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

func flat32(t *tensors.Tensor) []float32 { return tensors.MustCopyFlatData[float32](t) }

func assertClose(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) || math.IsNaN(float64(got[i])) {
			t.Fatalf("%s: value %d is %g, want %g", what, i, got[i], want[i])
		}
	}
}

// courseStep is one step of the model's course recipe (tests train course models a step at a time).
func (m *Model) courseStep(b data.Batch) (StepResult, error) {
	r, err := m.Course()
	if err != nil {
		return StepResult{}, err
	}
	return r.Step(b)
}
