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
// Gaussian noise on (training), mode.Init runs the data-dependent initialisation; p is unused (the
// signature is the conv Discriminator's, so the recipes take either).
func MLPDiscriminator(scope *model.Scope, cfg ModelConfig, p Pieces, x *Node, mode BNMode) (logits, features *Node) {
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
