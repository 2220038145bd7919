package lessoncheck

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// The situations each exercise's function meets in training, compared with the reference answer's
// (gradients.go says why). The reference answers are ssgan's own pieces, generated from solutions/.

var exercise1 = exercise{
	label:     "exercise 1 (GlobalAveragePool)",
	inputs:    []string{"x"},
	shapeHint: "exercise 2's dense layer reads one C-vector per image, [N, C]: reduce over H and W without keeping those axes",
	zeroHint:  "StopGradient (or a constant) cuts the path back to the convolutions, which then never learn",
	gradHint:  "every position of the map counts equally in an average, 1/(H·W) each",
}

func poolCases() []gradCase {
	return []gradCase{
		{what: "a [2,3,3,4] feature map", inputs: []*tensors.Tensor{f32(randValues(2*3*3*4, 21, 1), 2, 3, 3, 4)}, diff: []bool{true}},
		{what: "a [3,2,4,5] feature map", inputs: []*tensors.Tensor{f32(randValues(3*2*4*5, 22, 3), 3, 2, 4, 5)}, diff: []bool{true}},
	}
}

var exercise3 = exercise{
	label:     "exercise 3 (GANLogit)",
	inputs:    []string{"classLogits"},
	shapeHint: "one logit per image, [N]: reduce over the class axis without keeping it, and take the fake logit as [N] (Squeeze) before subtracting it",
	nanHint: "a guard around an unstable formula (Where, IsFinite, Clip) does not help, because training differentiates both branches of a Where: " +
		"make the formula itself stable",
	zeroHint: "StopGradient on the result (or on the logits) leaves the discriminator nothing to learn from the real-vs-fake loss; " +
		"a StopGradient may only wrap a shift that cancels out",
	gradHint: "the gradient of log Σ exp over the class logits is their softmax, and the fake logit's is -1: every class logit takes part, " +
		"the fake one only by subtraction",
}

// ganLogitCase is a case of exercise 3 with its layout: whether the last column is the fake logit.
type ganLogitCase struct {
	extra bool
	gradCase
}

// ganLogitCases: each class layout the lesson meets, with ordinary logits and with the logits training
// ends up with: saturated (±20), huge (±1e4, one class dominant), all very negative, and a dominant fake logit.
func ganLogitCases() []ganLogitCase {
	var cases []ganLogitCase
	for _, tc := range classCases() {
		k := ssgan.NumLogits(tc.classes, tc.extra)
		layout := fmt.Sprintf("%d classes, extraClass=%v", tc.classes, tc.extra)
		cases = append(cases, ganLogitCase{tc.extra, gradCase{what: "ordinary logits (" + layout + ")",
			inputs: []*tensors.Tensor{f32(randValues(6*k, 23, 8), 6, k)}, diff: []bool{true}}})
		rows := make([]float32, 4*k)
		for j := range k {
			rows[j] = 20 * float32(1-2*(j%2))    // Saturated: ±20.
			rows[2*k+j] = -1e4                   // Every logit very negative.
			rows[3*k+j] = 1e4 * float32(j%2) / 2 // Half the classes at 5e3, the others 0.
		}
		rows[k] = 1e4                  // One class dominant.
		rows[4*k-1] = 1e4 + float32(k) // The last logit dominant: the fake one with extraClass.
		cases = append(cases, ganLogitCase{tc.extra, gradCase{what: "saturated logits of ±20 and ±1e4, the last one dominant (" + layout + ")",
			inputs: []*tensors.Tensor{f32(rows, 4, k)}, diff: []bool{true}}})
	}
	return cases
}

var exercise4 = exercise{
	label:  "exercise 4 (DiscriminatorLoss)",
	inputs: []string{"realLogits", "realGAN", "fakeGAN", "labels", "mask"},
	shapeHint: "the optimizer minimises one number: return a scalar (shape []) by reducing over every axis (ReduceAllSum, ReduceAllMean), " +
		"not [1] or [N]",
	nanHint:  "compute each cross entropy from the logits with ssgan's helpers, which stay finite where log(sigmoid(x)) rounds to log(0)",
	zeroHint: "StopGradient (or a constant) cuts that part of the loss out of training",
	gradHint: "each part is a mean over its own images: the supervised part over the labelled ones only, the real part over N, the fake part over M",
}

// dLossCases: a batch with a few labelled images, one with none (one batch in six at the course's
// setting), one with all, GAN logits saturated at ±30 and huge at ±1e4, with 10 logits and with 11.
func dLossCases() []gradCase {
	const n, m = 12, 16
	var cases []gradCase
	for _, k := range []int{data.NumClasses, data.NumClasses + 1} {
		logits := f32(randValues(n*k, 24, 3), n, k)
		labels := make([]int32, n)
		some, none, all := make([]float32, n), make([]float32, n), make([]float32, n)
		sat, huge := make([]float32, n), make([]float32, m)
		for i := range labels {
			labels[i] = int32((i * 7) % data.NumClasses)
			if i%3 == 0 {
				some[i] = 1
			}
			all[i] = 1
			sat[i] = 30 * float32(1-2*(i%2))
		}
		for i := range huge {
			huge[i] = 1e4 * float32(1-2*(i%2))
		}
		realGAN, fakeGAN := f32(randValues(n, 25, 3), n), f32(randValues(m, 26, 3), m)
		lab := tensors.FromFlatDataAndDimensions(labels, n)
		diff := []bool{true, true, true, false, false}
		layout := fmt.Sprintf(" (%d logits)", k)
		cases = append(cases,
			gradCase{what: "a batch with 4 labelled images of 12" + layout, inputs: []*tensors.Tensor{logits, realGAN, fakeGAN, lab, f32(some, n)}, diff: diff},
			gradCase{what: "a batch with no labelled image" + layout, inputs: []*tensors.Tensor{logits, realGAN, fakeGAN, lab, f32(none, n)}, diff: diff,
				hint: "Where still differentiates the branch it does not take (there 0/0 = NaN): divide by a number that cannot be 0 instead"},
			gradCase{what: "a batch where every image is labelled" + layout, inputs: []*tensors.Tensor{logits, realGAN, fakeGAN, lab, f32(all, n)}, diff: diff},
		)
		satFake := f32(append(append([]float32{}, sat...), sat[:m-n]...), m)
		cases = append(cases, gradCase{what: "GAN logits saturated at ±30" + layout, inputs: []*tensors.Tensor{logits, f32(sat, n), satFake, lab, f32(some, n)}, diff: diff})
		cases = append(cases, gradCase{what: "GAN logits of ±1e4" + layout, inputs: []*tensors.Tensor{logits, f32(huge[:n], n), f32(huge, m), lab, f32(some, n)}, diff: diff})
	}
	return cases
}

var exercise5 = exercise{
	label:     "exercise 5 (GeneratorLoss)",
	inputs:    []string{"realFeatures", "fakeFeatures"},
	shapeHint: "the generator's optimizer minimises one number: return a scalar (shape []), the mean over the F features of the absolute difference",
	nanHint:   "Sqrt(Square(d)) has no gradient where d is 0 (it is 0/0 there): Abs has one",
	zeroHint:  "with StopGradient on the generated features (or a constant) the generator gets nothing to learn from",
	gradHint:  "the mean absolute difference of the two batch means moves each generated feature by sign(d)/(F·M)",
}

// gLossCases: batches of unequal sizes; features on a larger scale; and features whose batch means agree
// in some columns (the absolute value's kink, met whenever the generator matches a feature exactly). The
// generated features are what the generator learns through, so only their gradient is compared.
func gLossCases() []gradCase {
	const f = 6
	equal := func(n int, seed uint64) []float32 {
		v := randValues(n*f, seed, 1)
		for i := range n {
			for j := range 3 {
				v[i*f+j] = 0.25 * float32(j+1) // The same in every row of both batches: equal means.
			}
		}
		return v
	}
	diff := []bool{false, true}
	return []gradCase{
		{what: "real and generated batches of 8 and 5 images", inputs: []*tensors.Tensor{f32(randValues(8*f, 27, 1), 8, f), f32(randValues(5*f, 28, 1), 5, f)}, diff: diff},
		{what: "features on a scale of 10", inputs: []*tensors.Tensor{f32(randValues(4*f, 29, 10), 4, f), f32(randValues(7*f, 30, 10), 7, f)}, diff: diff},
		{what: "features whose batch means agree in 3 of 6 columns", inputs: []*tensors.Tensor{f32(equal(4, 31), 4, f), f32(equal(2, 32), 2, f)}, diff: diff, nanOnly: true},
	}
}

// The reference answers and the learner's functions, as functions of a list of inputs.

func poolFn(fn func(x *Node) *Node) func([]*Node) *Node {
	return func(in []*Node) *Node { return fn(in[0]) }
}

func ganLogitFn(fn func(classLogits *Node, extraClass bool) *Node, extra bool) func([]*Node) *Node {
	return func(in []*Node) *Node { return fn(in[0], extra) }
}

func dLossFn(fn func(realLogits, realGAN, fakeGAN, labels, mask *Node) *Node) func([]*Node) *Node {
	return func(in []*Node) *Node { return fn(in[0], in[1], in[2], in[3], in[4]) }
}

func gLossFn(fn func(realFeatures, fakeFeatures *Node) *Node) func([]*Node) *Node {
	return func(in []*Node) *Node { return fn(in[0], in[1]) }
}
