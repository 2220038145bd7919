// Package lessoncheck is the lesson's check suite: one function per exercise that runs a learner's
// function on small inputs, compares it with a float64 reference and says in plain words what is wrong.
// The same checks run against the reference solutions (which must pass), the exercise stubs (which must
// fail with the "not implemented yet" message) and the notebook's cells.
package lessoncheck

import (
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
)

var (
	backendOnce sync.Once
	backend     compute.Backend
	backendErr  error
)

// Backend is the backend the checks run on: GOMLX_BACKEND if set, else GoMLX's pure-Go one (the checks are
// tiny, and this never tries to download anything).
func Backend() (compute.Backend, error) {
	backendOnce.Do(func() {
		if os.Getenv(engine.BackendEnv) == "" {
			os.Setenv(engine.BackendEnv, "go")
		}
		backend, backendErr = engine.NewBackend(nil)
	})
	return backend, backendErr
}

// withBackend calls check with the checks' backend, turning panics (such as an exercise stub's) into errors.
func withBackend(check func(b compute.Backend) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	b, err := Backend()
	if err != nil {
		return err
	}
	return check(b)
}

// eval builds and runs a graph on the given inputs and returns its first output's values. When building
// the learner's graph fails (usually shapes that do not fit together), the error names the exercise,
// the inputs' shapes and hint, in the lesson's words, instead of GoMLX's raw message alone.
func eval(name, hint string, fn func(inputs []*Node) *Node, inputs ...*tensors.Tensor) (out []float32, err error) {
	err = withBackend(func(b compute.Backend) (err error) {
		e, err := NewExec(b, func(xs []*Node) *Node { return fn(xs) })
		if err != nil {
			return err
		}
		args := make([]any, len(inputs))
		for i, in := range inputs {
			args[i] = in
		}
		res, err := e.Call(args...)
		if err != nil {
			if stub := unwrapStub(err); stub != err {
				return stub
			}
			shapes := make([]string, len(inputs))
			for i, in := range inputs {
				shapes[i] = fmt.Sprint(in.Shape().Dimensions)
			}
			return fmt.Errorf("%s: building your graph failed on inputs of shapes %s: %s — %s",
				name, strings.Join(shapes, ", "), firstLine(err), hint)
		}
		if dt := res[0].Shape().DType; dt != dtypes.Float32 { // Before the copy, which would panic on another dtype.
			return fmt.Errorf("%s returns %s values; want float32, the dtype the network and its optimizer compute in — "+
				"keep the inputs' dtype (no ConvertDType)", name, dt)
		}
		out = tensors.MustCopyFlatData[float32](res[0])
		return nil
	})
	return out, err
}

// firstLine is the first line of an error's message, without GoMLX's stack trace and, for a panic while
// building a graph, without the wrapping that names GoMLX's internals.
func firstLine(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "panicked: "); i >= 0 {
		msg = msg[i+len("panicked: "):]
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return msg
}

// panicError turns a recovered panic into an error, keeping an exercise stub's message as it is.
func panicError(r any) error {
	if err, ok := r.(error); ok {
		return unwrapStub(err)
	}
	return fmt.Errorf("panic: %v", r)
}

// unwrapStub returns the stub's own error when err carries one.
func unwrapStub(err error) error { return ssgan.UnwrapNotImplemented(err) }

func randValues(n int, seed uint64, scale float64) []float32 {
	out := make([]float32, n)
	x := seed*0x9e3779b97f4a7c15 + 1
	for i := range out {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		out[i] = float32(scale * (float64(x%20001)/10000 - 1))
	}
	return out
}

func bad(v float32) bool { return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) }

func near(got float32, want float64, rel float64) bool {
	return !bad(got) && math.Abs(float64(got)-want) <= rel*math.Max(1, math.Abs(want))
}

func shapeError(what string, got, want int) error {
	return fmt.Errorf("%s: got %d values, want %d — check the axes you reduce over", what, got, want)
}

// Pass fails t with the check's sentence unless err is nil: the notebooks' %test cells call it, so each
// is one line, e.g. lessoncheck.Pass(t, lessoncheck.GANLogit(GANLogit)).
func Pass(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
