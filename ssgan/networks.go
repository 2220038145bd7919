package ssgan

import (
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// Scope names of the two players: every trainable variable lives under exactly one of them.
const (
	DiscriminatorScope = "discriminator"
	GeneratorScope     = "generator"
)

// WithInit makes the variables created under s start from N(0, stddev); stddev <= 0 keeps GoMLX's default.
func WithInit(s *model.Scope, stddev float64) *model.Scope {
	if stddev <= 0 {
		return s
	}
	return s.WithInitializer(initializer.RandomNormalFn(s, stddev))
}

// Generator maps z [N,ZDim] to images [N,H,W,C] in [-1,1], of the shape cfg.Model.Image says (SVHN's
// 32x32x3 by default).
//
// The course: dense z -> 4x4x(4g), BN, leaky ReLU; three 5x5 stride-2 transposed convolutions
// 4g -> 2g -> g -> 3 with BN and leaky ReLU between; tanh. By default we double the resolution by
// nearest-neighbour upsampling and a 3x3 convolution instead, which learns images where the transposed
// convolution learned a texture (see upsample.go); cfg.Upsample = UpsampleTransposed gives the course's
// exactly. Other sizes start from an eighth of the image (rounded up) and crop the centre at the end:
// 28x28 MNIST digits are the centre of a 32x32 output.
// The lesson shows this function as an editable cell (notebooks/lesson.md); its runs train the cell's copy.
func Generator(scope *model.Scope, cfg ModelConfig, z *Node, mode BNMode) *Node {
	s := WithInit(scope.At(GeneratorScope), cfg.InitStddev)
	img := cfg.ImageShape()
	h0, w0 := (img.Height+7)/8, (img.Width+7)/8
	g4 := 4 * cfg.GSize
	x := Dense(s, "dense", z, h0*w0*g4)
	x = Reshape(x, z.Shape().Dimensions[0], h0, w0, g4)
	x = LeakyReLU(BatchNorm(s, "bn0", x, mode), cfg.Alpha)
	x = Upsample(s, cfg.Upsample, "up1", x, 2*cfg.GSize, false) // 8x8 for SVHN
	x = LeakyReLU(BatchNorm(s, "bn1", x, mode), cfg.Alpha)
	x = Upsample(s, cfg.Upsample, "up2", x, cfg.GSize, false) // 16x16
	x = LeakyReLU(BatchNorm(s, "bn2", x, mode), cfg.Alpha)
	x = Upsample(s, cfg.Upsample, "up3", x, img.Channels, true) // 32x32x3
	if dy, dx := 8*h0-img.Height, 8*w0-img.Width; dy > 0 || dx > 0 {
		x = Slice(x, AxisRange(), AxisRange(dy/2, dy/2+img.Height), AxisRange(dx/2, dx/2+img.Width))
	}
	return Tanh(x)
}

// Discriminator returns the class logits [N, NumLogits(K, ExtraClass)] and the features [N, 2d] of images [N,H,W,C]
// (SVHN's 32x32x3; any size works, as the features are averaged over the last map).
//
// The course's all-convolutional net, with its bugs fixed: dropout is active in training only, the BN
// after the second convolution is used, and inference uses stored BN statistics. Only passes over real
// images may update those (mode.Update), so at test time the network normalises as it did for real
// data, never for generated images.
// The lesson shows this function as an editable cell (notebooks/lesson.md); its runs train the cell's copy.
func Discriminator(scope *model.Scope, cfg ModelConfig, p Pieces, x *Node, mode BNMode) (logits, features *Node) {
	s := WithInit(scope.At(DiscriminatorScope), cfg.InitStddev)
	d, a, training := cfg.DSize, cfg.Alpha, mode.Dropout
	x = Dropout(s, x, cfg.InputDrop, training)
	x = LeakyReLU(Conv(s, "conv1", x, 3, d, 2, true, true), a) // 16x16
	x = Dropout(s, x, cfg.Drop, training)
	x = LeakyReLU(BatchNorm(s, "bn2", Conv(s, "conv2", x, 3, d, 2, true, false), mode), a) // 8x8
	x = LeakyReLU(BatchNorm(s, "bn3", Conv(s, "conv3", x, 3, d, 2, true, false), mode), a) // 4x4
	x = Dropout(s, x, cfg.Drop, training)
	x = LeakyReLU(BatchNorm(s, "bn4", Conv(s, "conv4", x, 3, 2*d, 1, true, false), mode), a)
	x = LeakyReLU(BatchNorm(s, "bn5", Conv(s, "conv5", x, 3, 2*d, 1, true, false), mode), a)
	// Feature-matching layer: no normalisation, so the features keep the scale the generator must match.
	x = LeakyReLU(Conv(s, "conv6", x, 3, 2*d, 1, false, true), a) // 2x2
	features = p.GlobalAveragePool(x)
	logits = p.ClassLogits(s, features, cfg.NumClasses(), cfg.ExtraClass)
	return logits, features
}

// architecture is what a network family (ModelConfig.Arch) decides beyond its layers: which discriminator
// and generator (for the course's conv networks, the Pieces' ones, so the lesson's cells plug in; the
// paper's networks are fixed), the pixel range, the noise, and what the first epoch prepares.
type architecture struct {
	discriminator func(scope *model.Scope, cfg ModelConfig, p Pieces, x *Node, mode BNMode) (logits, features *Node)
	generator     func(scope *model.Scope, cfg ModelConfig, z *Node, mode BNMode) *Node
	pixels        data.Range                                            // How both read and make images.
	noise         func(scope *model.Scope, g *Graph, n, zDim int) *Node // The generator's input in training.
	fixedNoise    func(n, zDim int, seed uint64) []float32              // The sample grids' input.
	batchNorm     bool                                                  // The discriminator has BN statistics to recompute.
	dataInit      bool                                                  // Weight normalisation's data-dependent start.
	gridRows      int                                                   // The sample grid: gridRows x 10.
}

// networkOf returns the networks cfg.Arch names.
func architectureOf(cfg ModelConfig, p Pieces) architecture {
	if cfg.Arch == ArchPaper {
		return architecture{discriminator: PaperDiscriminator, generator: PaperGenerator, pixels: data.Signed, noise: UniformNoise,
			fixedNoise: uniformNoise, dataInit: true, gridRows: 10}
	}
	if cfg.Arch == ArchMLP {
		return architecture{discriminator: MLPDiscriminator, generator: MLPGenerator, pixels: data.Unit, noise: UniformNoise,
			fixedNoise: uniformNoise, dataInit: true, gridRows: 10}
	}
	return architecture{discriminator: p.Discriminator, generator: p.Generator, pixels: data.Signed, batchNorm: true, gridRows: 5,
		noise: func(scope *model.Scope, g *Graph, n, zDim int) *Node {
			return SafeNormal(scope, g, shapes.Make(dtypes.Float32, n, zDim))
		},
		fixedNoise: normalNoise}
}

// normalNoise returns n noise vectors drawn from N(0,1) with a seed (Model.Noise for the conv generator).
func normalNoise(n, zDim int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0xf1))
	z := make([]float32, n*zDim)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	return z
}

// uniformNoise is normalNoise for the MLP generator, which draws its input from U(0, 1).
func uniformNoise(n, zDim int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0xf1))
	z := make([]float32, n*zDim)
	for i := range z {
		z[i] = rng.Float32()
	}
	return z
}
