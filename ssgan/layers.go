package ssgan

import (
	"math"
	"os"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// The layers below are written from basic ops on purpose:
//   - Convolutions are im2col (strided slices + one matrix multiply) or the backend's own convolution,
//     whichever measured faster there (useNativeConv, below): always im2col on GoMLX's pure-Go
//     backend (~10x faster than its native convolution), XLA's own for its larger stride-1 maps. im2col is
//     differentiable everywhere, which GoMLX's input-dilated ("transposed") convolution is not.
//   - Padding is a concatenation with zeros, because GoMLX has no gradient for Pad.
//   - Batch normalisation is explicit so the caller decides which pass updates the inference statistics
//     (only the real-data pass does: see Discriminator).
// Every layer takes its variables from scope.At("%s", name), so calling a network twice (real and fake images)
// shares its weights.

// padSpatial pads the H and W axes of an NHWC tensor with zeros: before/after rows and columns.
func padSpatial(x *Node, top, bottom, left, right int) *Node {
	g := x.Graph()
	dims := x.Shape().Dimensions
	n, h, w, c := dims[0], dims[1], dims[2], dims[3]
	parts := []*Node{x}
	if top > 0 {
		parts = append([]*Node{Zeros(g, shapes.Make(x.DType(), n, top, w, c))}, parts...)
	}
	if bottom > 0 {
		parts = append(parts, Zeros(g, shapes.Make(x.DType(), n, bottom, w, c)))
	}
	if len(parts) > 1 {
		x = Concatenate(parts, 1)
	}
	h += top + bottom
	parts = []*Node{x}
	if left > 0 {
		parts = append([]*Node{Zeros(g, shapes.Make(x.DType(), n, h, left, c))}, parts...)
	}
	if right > 0 {
		parts = append(parts, Zeros(g, shapes.Make(x.DType(), n, h, right, c)))
	}
	if len(parts) > 1 {
		x = Concatenate(parts, 2)
	}
	return x
}

// samePadding returns TensorFlow's "same" padding (before, after) and output size for one spatial axis.
func samePadding(size, kernel, stride int) (before, after, out int) {
	out = (size + stride - 1) / stride
	total := max((out-1)*stride+kernel-size, 0)
	return total / 2, total - total/2, out
}

// Conv2D convolves x [N,H,W,Cin] with kernel [k,k,Cin,Cout] at the given stride, "same" (TensorFlow's
// convention) or "valid" padding. On XLA it is the backend's own convolution (see useNativeConv); else
// im2col: k*k strided slices concatenated on the channel axis,
// then one [N*Ho*Wo, k*k*Cin] x [k*k*Cin, Cout] matrix multiply. Returns [N,Ho,Wo,Cout].
func Conv2D(x, kernel *Node, stride int, same bool) *Node {
	dims := x.Shape().Dimensions
	n, h, w, cin := dims[0], dims[1], dims[2], dims[3]
	kdims := kernel.Shape().Dimensions
	k, cout := kdims[0], kdims[3]
	if useNativeConv(x.Graph().Backend(), h, stride) {
		c := Convolve(x, kernel).Strides(stride)
		if same {
			top, bottom, _ := samePadding(h, k, stride)
			left, right, _ := samePadding(w, k, stride)
			c = c.PaddingPerDim([][2]int{{top, bottom}, {left, right}})
		}
		return c.Done()
	}
	var ho, wo int
	if same {
		top, bottom, oh := samePadding(h, k, stride)
		left, right, ow := samePadding(w, k, stride)
		x = padSpatial(x, top, bottom, left, right)
		ho, wo = oh, ow
	} else {
		ho, wo = (h-k)/stride+1, (w-k)/stride+1
	}
	if k == 1 && stride == 1 {
		return Reshape(Dot(Reshape(x, n*ho*wo, cin), Reshape(kernel, cin, cout)).Product(), n, ho, wo, cout)
	}
	cols := make([]*Node, 0, k*k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			cols = append(cols, Slice(x, AxisRange(),
				AxisRange(i, i+(ho-1)*stride+1).Stride(stride),
				AxisRange(j, j+(wo-1)*stride+1).Stride(stride),
				AxisRange()))
		}
	}
	patches := Reshape(Concatenate(cols, 3), n*ho*wo, k*k*cin)
	return Reshape(Dot(patches, Reshape(kernel, k*k*cin, cout)).Product(), n, ho, wo, cout)
}

// Conv is a convolution layer: kernel (and bias if useBias) from scope.At("%s", name).
func Conv(scope *model.Scope, name string, x *Node, k, cout, stride int, same, useBias bool) *Node {
	s := scope.At("%s", name)
	cin := x.Shape().Dimensions[3]
	kernel := s.VariableWithShape("kernel", shapes.Make(x.DType(), k, k, cin, cout)).NodeValue(x.Graph())
	y := Conv2D(x, kernel, stride, same)
	if useBias {
		b := s.WithInitializer(initializer.Zero).VariableWithShape("bias", shapes.Make(x.DType(), cout)).NodeValue(x.Graph())
		y = Add(y, asLastAxis(b, y.Rank()))
	}
	return y
}

// Dense is a fully connected layer on the last axis of a rank-2 x [N, in] -> [N, out], with its weights
// and bias under scope/name.
func Dense(scope *model.Scope, name string, x *Node, out int) *Node {
	s := scope.At("%s", name)
	in := x.Shape().Dimensions[1]
	w := s.VariableWithShape("weights", shapes.Make(x.DType(), in, out)).NodeValue(x.Graph())
	b := s.WithInitializer(initializer.Zero).VariableWithShape("bias", shapes.Make(x.DType(), out)).NodeValue(x.Graph())
	return Add(Dot(x, w).Product(), asLastAxis(b, 2))
}

// asLastAxis reshapes a per-channel vector [C] to [1,...,1,C] of the given rank, to broadcast against NHWC.
func asLastAxis(v *Node, rank int) *Node {
	dims := make([]int, rank)
	for i := range dims {
		dims[i] = 1
	}
	dims[rank-1] = v.Shape().Dimensions[0]
	return Reshape(v, dims...)
}

// LeakyReLU is max(alpha*x, x), the course's activation (alpha 0.2). useSlopeLeakyReLU picks how it is
// written for the backend; both forms give the same values and gradients.
func LeakyReLU(x *Node, alpha float64) *Node {
	if useSlopeLeakyReLU(x.Graph().Backend()) {
		return leakyReLUBySlope(x, alpha)
	}
	return leakyReLUByMax(x, alpha)
}

// leakyReLUByMax is LeakyReLU as written: XLA fuses max and its gradient into the neighbouring kernels.
func leakyReLUByMax(x *Node, alpha float64) *Node { return Max(x, MulScalar(x, alpha)) }

// leakyReLUBySlope is LeakyReLU as x times a slope (1 where x >= 0, else alpha) that the gradient treats as a
// constant: the exact derivative everywhere but at 0, where it takes 1 as max's gradient does. Its backward
// pass is one multiply, where max's gradient builds indicator masks for both inputs and adds the two halves,
// each a separate pass over the tensor on the pure-Go backend.
func leakyReLUBySlope(x *Node, alpha float64) *Node {
	g, dt := x.Graph(), x.DType()
	slope := Where(GreaterOrEqual(x, ScalarZero(g, dt)), ScalarOne(g, dt), Scalar(g, dt, alpha))
	return Mul(x, StopGradient(slope))
}

// BNMode says how a network normalises and regularises in one pass.
type BNMode struct {
	Dropout    bool  // Training's regularisers on: dropout (the conv networks), Gaussian noise (the MLPs).
	BatchStats bool  // Normalise with the batch's own mean and variance (training), else with the stored averages.
	Update     *Node // If not nil (and BatchStats): stored = (1-Update)*stored + Update*batch statistics.
	// Init runs weight normalisation's data-dependent initialisation (the MLPs): each layer sets its scale
	// and bias so that its pre-activations on this batch have mean 0 and variance 1, and passes those on.
	Init bool
}

// BatchNorm normalises over every axis but the last.
//
// With mode.BatchStats it uses the batch's mean and variance (and folds them into the stored statistics
// when mode.Update is set); otherwise it uses the stored statistics, so a prediction depends only on its
// input, not on the rest of its batch (the course always used batch statistics).
func BatchNorm(scope *model.Scope, name string, x *Node, mode BNMode) *Node {
	s := scope.At("%s", name)
	g := x.Graph()
	c := x.Shape().Dimensions[x.Rank()-1]
	shape := shapes.Make(x.DType(), c)
	gamma := s.WithInitializer(initializer.One).VariableWithShape("gamma", shape).NodeValue(g)
	beta := s.WithInitializer(initializer.Zero).VariableWithShape("beta", shape).NodeValue(g)
	meanVar := s.WithInitializer(initializer.Zero).VariableWithShape("moving_mean", shape).SetTrainable(false)
	varVar := s.WithInitializer(initializer.One).VariableWithShape("moving_variance", shape).SetTrainable(false)
	axes := make([]int, x.Rank()-1)
	for i := range axes {
		axes[i] = i
	}
	var mean, variance *Node // [C]
	if mode.BatchStats {
		mean = ReduceMean(x, axes...)
		variance = ReduceMean(Square(Sub(x, asLastAxis(mean, x.Rank()))), axes...)
		if mode.Update != nil {
			w := ConvertDType(mode.Update, x.DType())
			blend := func(old, batch *Node) *Node { return Add(Mul(OneMinus(w), old), Mul(w, StopGradient(batch))) }
			meanVar.SetNodeValue(blend(meanVar.NodeValue(g), mean))
			varVar.SetNodeValue(blend(varVar.NodeValue(g), variance))
		}
	} else {
		mean, variance = meanVar.NodeValue(g), varVar.NodeValue(g)
	}
	scale := Div(gamma, Sqrt(AddScalar(variance, 1e-5))) // Rsqrt has no gradient in GoMLX.
	shift := Sub(beta, Mul(mean, scale))
	return Add(Mul(x, asLastAxis(scale, x.Rank())), asLastAxis(shift, x.Rank()))
}

// Dropout zeroes each value with probability rate during training and rescales the rest by 1/(1-rate).
// The course's dropout calls had no training flag and so never dropped anything.
func Dropout(scope *model.Scope, x *Node, rate float64, training bool) *Node {
	if !training || rate <= 0 {
		return x
	}
	g := x.Graph()
	keep := GreaterOrEqual(RandomBits(scope, g, x.Shape().Dimensions...), Scalar(g, dtypes.Uint32, math.Round(rate*(1<<32))))
	return Where(keep, DivScalar(x, 1-rate), ScalarZero(g, x.DType())) // A scalar zero: no buffer to fill.
}

// RandomBits returns uniformly distributed uint32 values of the given dimensions, for dropout masks: each
// position's index, spread by an odd multiplier and offset by a 32-bit key drawn from the scope's generator,
// then mixed by an integer hash (Wellons' "lowbias32", a bijection whose output bits pass the usual
// statistical tests). Different positions always get different values, and each call a new key.
//
// Why not the generator itself: XLA's random-bit generator (Philox, built from 64-bit multiplies) cost
// more than half of a supervised-only training step at the course's size on XLA CPU, for the ~2.6 million
// values of the discriminator's three dropout masks (0.107 s per step with dropout, 0.051 without). This
// hash is a few 32-bit operations per value, which vectorise.
func RandomBits(scope *model.Scope, g *Graph, dims ...int) *Node {
	// Two uniform draws give the key's two 16-bit halves (a float32 draw has 24 random bits).
	halves := ConvertDType(MulScalar(scope.RandomUniform(g, shapes.Make(dtypes.Float32, 2)), 1<<16), dtypes.Uint32)
	key := Add(BitwiseShiftLeftScalar(Slice(halves, AxisRange(0, 1)), 16), Slice(halves, AxisRange(1, 2)))
	return hashBits(Reshape(key), dims...)
}

// hashBits is RandomBits for a given key (a uint32 scalar): the same values on every backend.
func hashBits(key *Node, dims ...int) *Node {
	g := key.Graph()
	u32 := func(v uint32) *Node { return Scalar(g, dtypes.Uint32, v) }
	x := Add(Mul(IotaFull(g, shapes.Make(dtypes.Uint32, dims...)), u32(0x9e3779b9)), key)
	x = BitwiseXor(x, BitwiseShiftRightLogicalScalar(x, 16))
	x = Mul(x, u32(0x7feb352d))
	x = BitwiseXor(x, BitwiseShiftRightLogicalScalar(x, 15))
	x = Mul(x, u32(0x846ca68b))
	return StopGradient(BitwiseXor(x, BitwiseShiftRightLogicalScalar(x, 16)))
}

// SafeNormal draws N(0,1) values by Box-Muller with the uniform draw kept at or above 1e-12. GoMLX's
// RandomNormal keeps it above the smallest denormal float32 instead, which a backend that flushes
// denormals to zero (XLA on CPU) turns into log(0): we measured an infinite noise value, and so a NaN loss,
// within the first epoch of the MLP recipe, which draws about a million noise values per step (the
// course's generator input draws 12,800 per step: about one run in 40 would have met one).
//
// It draws the same two uniform streams as RandomNormal and applies the same formula, so results only
// differ where RandomNormal would have drawn an infinity.
func SafeNormal(scope *model.Scope, g *Graph, shape shapes.Shape) *Node {
	u1 := Max(scope.RandomUniform(g, shape), Scalar(g, shape.DType, 1e-12))
	u2 := scope.RandomUniform(g, shape)
	return Mul(Sqrt(MulScalar(Log(u1), -2)), Cos(MulScalar(u2, 2*math.Pi)))
}

// HashedNormal draws N(0,1) values of the given shape by Box-Muller from two streams of RandomBits: the
// counter hash that dropout uses instead of XLA's Philox generator, which measured 0.079 -> 0.064 s per
// MLP-recipe step for its Gaussian noise on XLA CPU (about a million values per step). Each uniform is
// the hash's top 24 bits plus a half, times 2^-24: strictly inside (0, 1), so log never sees 0 and no
// draw is infinite (|z| <= 5.9; beyond that the tails, about 4e-9 of the mass, are cut). The cosine is
// cosTwoPi's polynomial: XLA on CPU calls libm's cosf once per value, 12% of an MNIST step
// (ssgan/bench/results/speed/mlp_profile.md).
func HashedNormal(scope *model.Scope, g *Graph, shape shapes.Shape) *Node {
	bits := RandomBits(scope, g, append([]int{2}, shape.Dimensions...)...)
	u := MulScalar(AddScalar(ConvertDType(BitwiseShiftRightLogicalScalar(bits, 8), shape.DType), 0.5), 1.0/(1<<24))
	u1, u2 := Squeeze(Slice(u, AxisRange(0, 1)), 0), Squeeze(Slice(u, AxisRange(1, 2)), 0)
	return Mul(Sqrt(MulScalar(Log(u1), -2)), cosTwoPi(u2))
}

// cosTwoPi is cos(2πu) for u in [0, 1] from multiplies and adds only, which XLA fuses and vectorises:
// with x = |u - ½| - ¼ in [-¼, ¼], cos(2πu) = sin(2πx), and sin on [-π/2, π/2] is its Taylor series to
// the y¹¹ term (truncation error below 6e-8, under float32's rounding of values near 1).
func cosTwoPi(u *Node) *Node {
	y := MulScalar(AddScalar(Abs(AddScalar(u, -0.5)), -0.25), 2*math.Pi)
	y2 := Mul(y, y)
	// Horner's rule on y·(1 - y²/3!·(1 - y²/(4·5)·(1 - y²/(6·7)·(1 - y²/(8·9)·(1 - y²/(10·11)))))).
	p := OnePlus(MulScalar(y2, -1.0/(10*11)))
	for _, k := range []float64{8 * 9, 6 * 7, 4 * 5, 2 * 3} {
		p = OnePlus(MulScalar(Mul(y2, p), -1/k))
	}
	return Mul(y, p)
}

// ConvEnv overrides the convolution implementation for measurements: "native" or "im2col".
const ConvEnv = "SSGAN_CONV"

// useNativeConv is the one place that picks how Conv2D computes a convolution of an h-row input.
//
// GoMLX's pure-Go backend runs its native convolution about ten times slower than im2col (strided slices
// and one matrix multiply), so there it is always im2col. On XLA we measured (course size, XLA CPU):
// im2col 0.254 s/step, native everywhere 0.310, native for stride-1 convolutions of maps of 16x16 or
// more 0.231. The small maps of the discriminator run faster as one matrix multiply; the generator's
// last, large convolution runs faster as XLA's own.
func useNativeConv(b compute.Backend, h, stride int) bool {
	switch os.Getenv(ConvEnv) {
	case "native":
		return true
	case "im2col":
		return false
	}
	return b != nil && b.Name() == "xla" && stride == 1 && h >= 16
}

// useSlopeLeakyReLU is the one place that picks how LeakyReLU is written: as x times a constant slope on
// the pure-Go backend, where that measured 5-11% faster per course-size SSGAN step than max(x, alpha*x)
// (each op is its own pass there, and max's gradient takes several); as max on XLA, where the slope form
// measured 5% slower per supervised-only step (0.0645 vs 0.0615 s, four alternating pairs) and no
// different per SSGAN step.
func useSlopeLeakyReLU(b compute.Backend) bool { return b == nil || b.Name() != "xla" }
