package lessoncheck

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Training needs more than the right values: the right shape (the next layer, or the optimizer, reads it)
// and the right gradients (the optimizer follows them). A value check alone lets through answers that
// break training later: a kept-dims mean, a [1]-shaped loss, a Where guard whose untaken branch makes
// the gradient NaN. So each check of exercises 1 to 5 also runs the learner's function and the reference
// answer side by side on the cases training meets, and compares the output's shape and dtype exactly, its
// values, and the gradient of a fixed random weighting of the output, sum(out · w), with respect to each
// input that training differentiates.

// trace is what a function gave on one case.
type trace struct {
	shape shapes.Shape
	out   []float32
	grads [][]float32 // One per input; nil where the case does not differentiate that input.
}

// gradCase is one situation training meets, with the inputs that make it.
type gradCase struct {
	what   string // The situation, in a learner's words: "a batch with no labelled image".
	inputs []*tensors.Tensor
	diff   []bool // Which inputs training differentiates (never labels; for exercise 5, the fake features only).
	// nanOnly: compare only that the gradient is finite, not its value (where a function has no unique
	// gradient, such as |d| at d = 0, any finite subgradient is right).
	nanOnly bool
	hint    string // When set, what to do about a non-finite value or gradient in this case (else the exercise's nanHint).
}

// exercise names an exercise and its inputs, and says what to do when the shape or a gradient is wrong.
type exercise struct {
	label     string   // "exercise 4 (DiscriminatorLoss)".
	inputs    []string // The inputs' names, in order.
	shapeHint string   // Why the reference's shape matters, and how to get it.
	nanHint   string   // What usually makes the gradient NaN where the value is fine, and what to do instead.
	zeroHint  string   // What usually makes a gradient 0 where the reference's is not.
	gradHint  string   // For any other gradient difference.
}

// traceOf builds and runs fn on c's inputs: the output, and the gradients of sum(out · w) with w a fixed
// random tensor of the output's shape.
func traceOf(b compute.Backend, ex exercise, fn func([]*Node) *Node, c gradCase) (tr trace, err error) {
	e, err := NewExec(b, func(xs []*Node) []*Node {
		out := fn(xs)
		res := []*Node{out}
		if out.DType() != dtypes.Float32 {
			return res
		}
		w := Const(out.Graph(), tensors.FromFlatDataAndDimensions(randValues(out.Shape().Size(), 77, 1), out.Shape().Dimensions...))
		var wrt []*Node
		for i, d := range c.diff {
			if d {
				wrt = append(wrt, xs[i])
			}
		}
		return append(res, Gradient(ReduceAllSum(Mul(out, w)), wrt...)...)
	})
	if err != nil {
		return tr, err
	}
	args := make([]any, len(c.inputs))
	for i, in := range c.inputs {
		args[i] = in
	}
	res, err := e.Call(args...)
	if err != nil {
		if stub := unwrapStub(err); stub != err {
			return tr, stub
		}
		shapes := make([]string, len(c.inputs))
		for i, in := range c.inputs {
			shapes[i] = fmt.Sprint(in.Shape().Dimensions)
		}
		return tr, fmt.Errorf("%s: building your graph failed on inputs of shapes %s (%s): %s — %s",
			ex.label, strings.Join(shapes, ", "), c.what, firstLine(err), ex.shapeHint)
	}
	tr.shape = res[0].Shape()
	if tr.shape.DType != dtypes.Float32 {
		return tr, nil
	}
	tr.out = tensors.MustCopyFlatData[float32](res[0])
	tr.grads = make([][]float32, len(c.inputs))
	k := 1
	for i, d := range c.diff {
		if d {
			tr.grads[i] = tensors.MustCopyFlatData[float32](res[k])
			k++
		}
	}
	return tr, nil
}

// compareWithReference runs the learner's fn and the reference answer on each case and reports the first
// difference that training would feel, in one sentence: shape or dtype, a non-finite or wrong value, a NaN,
// zero or wrong gradient.
func compareWithReference(ex exercise, fn, ref func([]*Node) *Node, cases []gradCase) error {
	return withBackend(func(b compute.Backend) error {
		for _, c := range cases {
			want, err := traceOf(b, ex, ref, c)
			if err != nil {
				return fmt.Errorf("%s: the reference answer failed on %s: %w", ex.label, c.what, err)
			}
			got, err := traceOf(b, ex, fn, c)
			if err != nil {
				return err
			}
			if err := compareTraces(ex, c, got, want); err != nil {
				return err
			}
		}
		return nil
	})
}

func compareTraces(ex exercise, c gradCase, got, want trace) error {
	nanHint := ex.nanHint
	if c.hint != "" {
		nanHint = c.hint
	}
	if got.shape.DType != want.shape.DType {
		return fmt.Errorf("%s returns %s values on %s; want %s, the dtype the network and its optimizer compute in — "+
			"keep the inputs' dtype (no ConvertDType)", ex.label, got.shape.DType, c.what, want.shape.DType)
	}
	if !slices.Equal(got.shape.Dimensions, want.shape.Dimensions) {
		return fmt.Errorf("%s returns shape %v on %s; want %v — %s", ex.label, dimsText(got.shape), c.what, dimsText(want.shape), ex.shapeHint)
	}
	for i := range got.out {
		if bad(got.out[i]) && !bad(want.out[i]) {
			return fmt.Errorf("%s gives %g on %s (want %g): training would stop at the first such batch — %s",
				ex.label, got.out[i], c.what, want.out[i], nanHint)
		}
		if !closeTo(got.out[i], want.out[i], 1e-4) {
			return fmt.Errorf("%s gives %g on %s, want %g (value %d of %d)", ex.label, got.out[i], c.what, want.out[i], i, len(got.out))
		}
	}
	for in, g := range got.grads {
		if g == nil {
			continue
		}
		w := want.grads[in]
		name := ex.inputs[in]
		for j := range g {
			switch {
			case bad(g[j]) && !bad(w[j]):
				return fmt.Errorf("%s: the value is right but the gradient with respect to %s is %g on %s, so the first such step "+
					"turns the weights NaN and training stops — %s", ex.label, name, g[j], c.what, nanHint)
			case c.nanOnly:
			case g[j] == 0 && math.Abs(float64(w[j])) > 1e-6 && allZero(g):
				return fmt.Errorf("%s: the value is right but the gradient with respect to %s is 0 on %s, so training learns "+
					"nothing through it — %s", ex.label, name, c.what, ex.zeroHint)
			case !closeTo(g[j], w[j], 1e-3):
				return fmt.Errorf("%s: the value is right but the gradient with respect to %s differs from the reference's on %s "+
					"(%g where it should be %g), so training would follow another direction — %s", ex.label, name, c.what, g[j], w[j], ex.gradHint)
			}
		}
	}
	return nil
}

// closeTo compares float32 results of two graphs: relative 'rel' with an absolute floor for values near 0.
func closeTo(got, want float32, rel float64) bool {
	if bad(want) {
		return bad(got)
	}
	return !bad(got) && math.Abs(float64(got)-float64(want)) <= rel*math.Max(1e-2, math.Abs(float64(want)))
}

func allZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// dimsText writes a shape's dimensions as the lesson does: [2 4], or [] for a scalar.
func dimsText(s shapes.Shape) string { return fmt.Sprint(append([]int{}, s.Dimensions...)) }

// f32 is a float32 tensor of the given dimensions from values.
func f32(values []float32, dims ...int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(values, dims...)
}
