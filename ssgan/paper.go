package ssgan

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// The MNIST networks of "Improved Techniques for Training GANs" (Salimans et al. 2016; the reference is
// openai/improved-gan, mnist_svhn_cifar10/train_mnist_feature_matching.py), written fresh:
//
//   - discriminator 784-1000-500-250-250-250-10: weight-normalised dense layers with ReLU, Gaussian noise
//     (σ 0.3 on the input, 0.5 after each hidden layer) in training only. Its last hidden layer (250) is
//     what feature matching compares.
//   - generator 100-500-500-784 from uniform noise: dense layers with batch norm and softplus, then a
//     weight-normalised dense layer with a sigmoid, so pixels are in [0, 1] like the data.

// mlpLayers are the discriminator's hidden widths (the reference's).
var mlpLayers = [...]int{1000, 500, 250, 250, 250}

// wnDense is a weight-normalised dense layer, y = g * (x·v)/|v| + b per output unit, with variables
// v [in,out] ~ N(0, 0.1) (as the reference: a larger v turns more slowly under Adam's fixed-size steps),
// g [out] and b [out] under scope/name.
//
// Weight normalisation separates a unit's direction (v) from its scale (g), which makes Adam's steps on a
// deep MLP better conditioned; the data-dependent initialisation then starts every layer with
// standardised pre-activations, so no layer starts saturated or silent.
//
// As in the reference, only the output layers learn their scale (trainScale); the hidden layers keep the
// scale their initialisation gave them, so ReLU units cannot grow without bound.
func wnDense(scope *model.Scope, name string, x *Node, out int, trainScale, init bool) *Node {
	s := scope.At("%s", name)
	g := x.Graph()
	in := x.Shape().Dimensions[1]
	v := s.WithInitializer(initializer.RandomNormalFn(s, 0.1)).
		VariableWithShape("v", shapes.Make(x.DType(), in, out)).NodeValue(g)
	gainVar := s.WithInitializer(initializer.One).VariableWithShape("g", shapes.Make(x.DType(), out)).SetTrainable(trainScale)
	biasVar := s.WithInitializer(initializer.Zero).VariableWithShape("b", shapes.Make(x.DType(), out))
	// [N,out]: each column of v scaled to unit norm; the epsilon keeps a column that Adam shrank finite.
	t := Div(Dot(x, v).Product(), ExpandAxes(Sqrt(AddScalar(ReduceSum(Square(v), 0), 1e-12)), 0))
	if init {
		mean := ReduceMean(t, 0)
		scale := Div(OnesLike(mean), Sqrt(AddScalar(ReduceVariance(t, 0), 1e-8)))
		gainVar.SetNodeValue(scale)
		biasVar.SetNodeValue(Neg(Mul(mean, scale)))
	}
	return Add(Mul(t, ExpandAxes(gainVar.NodeValue(g), 0)), ExpandAxes(biasVar.NodeValue(g), 0))
}

// gaussianNoise adds N(0, sigma²) noise in training passes, drawn by HashedNormal.
func gaussianNoise(scope *model.Scope, x *Node, sigma float64, on bool) *Node {
	if !on || sigma == 0 {
		return x
	}
	return Add(x, MulScalar(HashedNormal(scope, x.Graph(), x.Shape()), sigma))
}

// MLPDiscriminator returns the class logits [N,K] and the last hidden layer [N,250] (before its noise)
// of images [N,H,W,C] in [0,1], read as one vector each (784 values for MNIST). mode.Dropout turns the
// Gaussian noise on (training), mode.Init runs the data-dependent initialisation; the Pieces are unused (the
// signature is the conv Discriminator's, so the recipes take either).
func MLPDiscriminator(scope *model.Scope, cfg ModelConfig, _ Pieces, x *Node, mode BNMode) (logits, features *Node) {
	s := scope.At(DiscriminatorScope)
	x = Reshape(x, x.Shape().Dimensions[0], -1)
	x = gaussianNoise(s, x, 0.3, mode.Dropout)
	for i, width := range mlpLayers {
		x = wnDense(s, "dense"+string(rune('1'+i)), x, width, false, mode.Init)
		x = Max(x, ZerosLike(x)) // ReLU.
		features = x             // Before the noise, as the reference matches them.
		x = gaussianNoise(s, x, 0.5, mode.Dropout)
	}
	return wnDense(s, "logits", x, cfg.NumClasses(), true, mode.Init), features
}

// MLPGenerator maps uniform noise z [N,ZDim] to images [N,H,W,C] in [0,1] (cfg.Image). It behaves the same
// in every pass: its batch norm always uses the batch's statistics, as the reference does, and it has no
// noise.
func MLPGenerator(scope *model.Scope, cfg ModelConfig, z *Node, _ BNMode) *Node {
	s := scope.At(GeneratorScope)
	img := cfg.ImageShape()
	x := z
	for i, width := range []int{500, 500} {
		x = Dense(s, "dense"+string(rune('1'+i)), x, width)
		x = Softplus(BatchNorm(s, "bn"+string(rune('1'+i)), x, BNMode{BatchStats: true}))
	}
	// As in the reference, the output layer is weight-normalised without the data-dependent start: it
	// would set biases that saturate the sigmoid for pixels that are dark in every initial sample.
	x = Sigmoid(wnDense(s, "out", x, img.Values(), true, false))
	return Reshape(x, z.Shape().Dimensions[0], img.Height, img.Width, img.Channels)
}

// UniformNoise is the generator's input for the MLP recipe: z ~ U(0, 1), as the reference draws it.
func UniformNoise(scope *model.Scope, g *Graph, n, zDim int) *Node {
	return scope.RandomUniform(g, shapes.Make(dtypes.Float32, n, zDim))
}

// The SVHN networks of "Improved Techniques for Training GANs" (Salimans et al. 2016), as the paper's code
// builds them (openai/improved-gan, mnist_svhn_cifar10/train_svhn_feature_matching.py and nn.py), written
// fresh. ModelConfig.Arch = ArchPaper; with DSize 64 and GSize 128 the widths are the reference's.
//
//   - Discriminator: dropout 0.2 on the input; weight-normalised 3x3 convolutions with leaky ReLU, three of
//     d channels at 32x32 (the third with stride 2), dropout 0.5, three of 2d at 16x16 (the third with
//     stride 2), dropout 0.5, one "valid" 3x3 of 2d (8x8 -> 6x6), two network-in-network layers (1x1
//     convolutions of 2d), global average pooling (the features feature matching compares) and a
//     weight-normalised dense layer to the class logits. No batch normalisation.
//   - Generator: uniform noise z [N,100]; a dense layer to 4x4x4g, then 5x5 stride-2 transposed
//     convolutions to 8x8x2g and 16x16xg, each with batch normalisation (the batch's own statistics, a
//     bias and no scale) and ReLU; a weight-normalised transposed convolution to 32x32x3 and tanh.
//
// Weight normalisation writes each output unit's weights as g·v/|v| (nn.py adds 1e-6 under the root).
// Its data-dependent start runs once, on 500 training images, before the first step: each layer sets its
// bias and scale so that its outputs on that batch have mean 0 and standard deviation 1 (0.1 for the two
// output layers), and passes the normalised outputs on. As in nn.py, only the output layers train their
// scale g; the hidden layers keep the one their start gave them.

// paperInitStd is the weight directions' start, N(0, 0.05), the reference's everywhere.
const paperInitStd = 0.05

// wnScale is weight normalisation's scale and bias on t, whose last axis is the layer's units and whose
// weights were already divided by their norm: t·g + b. With init it first sets g and b from t's
// statistics over every other axis (mean m, root mean square s after centring): g = g·initStd/s,
// b = -m·initStd/s.
func wnScale(s *model.Scope, t *Node, trainG bool, initStd float64, init bool) *Node {
	gr, units, rank := t.Graph(), t.Shape().Dimensions[t.Rank()-1], t.Rank()
	shape := shapes.Make(t.DType(), units)
	gain := s.WithInitializer(initializer.One).VariableWithShape("g", shape).SetTrainable(trainG)
	bias := s.WithInitializer(initializer.Zero).VariableWithShape("b", shape)
	if init {
		axes := leadingAxes(rank)
		mean := ReduceMean(t, axes...)
		centred := Sub(t, asLastAxis(mean, rank))
		inv := Div(Scalar(gr, t.DType(), initStd), Sqrt(ReduceMean(Square(centred), axes...)))
		gain.SetNodeValue(Mul(gain.NodeValue(gr), inv))
		bias.SetNodeValue(Neg(Mul(mean, inv)))
	}
	return Add(Mul(t, asLastAxis(gain.NodeValue(gr), rank)), asLastAxis(bias.NodeValue(gr), rank))
}

// unitNorms returns the norm of each output unit's weights (the last axis of w), with nn.py's 1e-6.
func unitNorms(w *Node) *Node {
	return Sqrt(AddScalar(ReduceSum(Square(w), leadingAxes(w.Rank())...), 1e-6))
}

// leadingAxes lists every axis of a rank-r tensor but the last (the units'): 0..r-2.
func leadingAxes(r int) []int {
	axes := make([]int, r-1)
	for i := range axes {
		axes[i] = i
	}
	return axes
}

// wnConv is a weight-normalised k x k convolution of x [N,H,W,Cin] to out channels ("same" or "valid"
// padding), with variables v [k,k,Cin,out], g and b under scope/name.
func wnConv(scope *model.Scope, name string, x *Node, k, out, stride int, same, trainG bool, initStd float64, init bool) *Node {
	s := scope.At("%s", name)
	v := s.WithInitializer(initializer.RandomNormalFn(s, paperInitStd)).
		VariableWithShape("v", shapes.Make(x.DType(), k, k, x.Shape().Dimensions[3], out)).NodeValue(x.Graph())
	t := Div(Conv2D(x, v, stride, same), asLastAxis(unitNorms(v), 4))
	return wnScale(s, t, trainG, initStd, init)
}

// wnDensePaper is a weight-normalised dense layer [N,in] -> [N,out] (v [in,out], g, b under scope/name).
func wnDensePaper(scope *model.Scope, name string, x *Node, out int, trainG bool, initStd float64, init bool) *Node {
	s := scope.At("%s", name)
	v := s.WithInitializer(initializer.RandomNormalFn(s, paperInitStd)).
		VariableWithShape("v", shapes.Make(x.DType(), x.Shape().Dimensions[1], out)).NodeValue(x.Graph())
	t := Div(Dot(x, v).Product(), ExpandAxes(unitNorms(v), 0))
	return wnScale(s, t, trainG, initStd, init)
}

// PaperDiscriminator returns the class logits [N,K] and the pooled features [N,2d] of images [N,32,32,C]
// in [-1,1]. mode.Dropout turns dropout on (training), mode.Init runs the data-dependent start; p is
// unused (the signature is the conv Discriminator's, so the recipes take either).
func PaperDiscriminator(scope *model.Scope, cfg ModelConfig, _ Pieces, x *Node, mode BNMode) (logits, features *Node) {
	s := scope.At(DiscriminatorScope)
	d, a, init := cfg.DSize, cfg.Alpha, mode.Init
	conv := func(name string, x *Node, k, out, stride int, same bool) *Node {
		return LeakyReLU(wnConv(s, name, x, k, out, stride, same, false, 1, init), a)
	}
	x = Dropout(s, x, cfg.InputDrop, mode.Dropout)
	x = conv("conv1", x, 3, d, 1, true)
	x = conv("conv2", x, 3, d, 1, true)
	x = conv("conv3", x, 3, d, 2, true) // 32 -> 16
	x = Dropout(s, x, cfg.Drop, mode.Dropout)
	x = conv("conv4", x, 3, 2*d, 1, true)
	x = conv("conv5", x, 3, 2*d, 1, true)
	x = conv("conv6", x, 3, 2*d, 2, true) // 16 -> 8
	x = Dropout(s, x, cfg.Drop, mode.Dropout)
	x = conv("conv7", x, 3, 2*d, 1, false) // 8 -> 6, "valid"
	x = conv("nin1", x, 1, 2*d, 1, true)
	x = conv("nin2", x, 1, 2*d, 1, true)
	features = ReduceMean(x, 1, 2)
	return wnDensePaper(s, "logits", features, cfg.NumClasses(), true, 0.1, init), features
}

// PaperGenerator maps uniform noise z [N,ZDim] to images [N,32,32,C] in [-1,1]. Its batch normalisation
// always uses the batch's own statistics, in training and when sampling, as the reference's does.
func PaperGenerator(scope *model.Scope, cfg ModelConfig, z *Node, mode BNMode) *Node {
	s := scope.At(GeneratorScope)
	g, img, n := cfg.GSize, cfg.ImageShape(), z.Shape().Dimensions[0]
	normal := func(name string) *model.Scope {
		return s.At("%s", name).WithInitializer(initializer.RandomNormalFn(s, paperInitStd))
	}
	w := normal("dense").VariableWithShape("weights", shapes.Make(z.DType(), z.Shape().Dimensions[1], 16*4*g)).NodeValue(z.Graph())
	x := Reshape(batchStatsNorm(s, "bn1", Dot(z, w).Product()), n, 4, 4, 4*g)
	x = Max(x, ZerosLike(x))
	for i, out := range []int{2 * g, g} {
		name := "deconv" + string(rune('1'+i))
		k := normal(name).VariableWithShape("kernel5", shapes.Make(z.DType(), 5, 5, x.Shape().Dimensions[3], out)).NodeValue(z.Graph())
		x = batchStatsNorm(s, "bn"+string(rune('2'+i)), DepthToSpace(Conv2D(x, TransposedKernelGraph(k), 1, true)))
		x = Max(x, ZerosLike(x))
	}
	k := normal("out").VariableWithShape("kernel5", shapes.Make(z.DType(), 5, 5, g, img.Channels)).NodeValue(z.Graph())
	t := Div(DepthToSpace(Conv2D(x, TransposedKernelGraph(k), 1, true)), asLastAxis(unitNorms(k), 4))
	return Tanh(wnScale(s.At("out"), t, true, 0.1, mode.Init))
}

// batchStatsNorm normalises x over every axis but the last with the batch's own statistics (nn.py's
// BatchNormLayer without a scale: ε 1e-6 under the root), then adds a learned bias.
func batchStatsNorm(scope *model.Scope, name string, x *Node) *Node {
	s := scope.At("%s", name)
	rank := x.Rank()
	axes := leadingAxes(rank)
	centred := Sub(x, asLastAxis(ReduceMean(x, axes...), rank))
	norm := Div(centred, asLastAxis(Sqrt(AddScalar(ReduceMean(Square(centred), axes...), 1e-6)), rank))
	b := s.WithInitializer(initializer.Zero).VariableWithShape("b", shapes.Make(x.DType(), x.Shape().Dimensions[rank-1]))
	return Add(norm, asLastAxis(b.NodeValue(x.Graph()), rank))
}
