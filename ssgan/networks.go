package ssgan

import (
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

// ModelConfig holds the architecture's hyperparameters. DefaultModelConfig gives the course's.
type ModelConfig struct {
	DSize      int     // Discriminator width d (course: 64).
	GSize      int     // Generator width g (course: 32).
	ZDim       int     // Noise size (course: 100).
	ExtraClass bool    // 11 logits (10 digits + fake) instead of 10 with a fixed 0 fake logit.
	Alpha      float64 // Leaky ReLU slope (0.2).
	InputDrop  float64 // Dropout on the discriminator's input (0.2).
	Drop       float64 // Dropout after the first and third convolutions (0.5).
	BNMomentum float64 // Weight of the old value in the inference statistics' moving averages.
	InitStddev float64 // Weights start from N(0, InitStddev); 0 keeps GoMLX's default (He) initialisation.
	Arch       string  // ArchConv (the course's networks; "" means it) or ArchMLP (the improved recipe's MNIST networks).
	Upsample   string  // How the generator doubles resolution: UpsampleResize (DefaultUpsample; "" means it), UpsampleTransposed (the course's) or UpsampleSubpixel.
}

// HasDropout says whether the discriminator drops anything in training.
func (c ModelConfig) HasDropout() bool { return c.Drop > 0 || c.InputDrop > 0 }

// DefaultModelConfig returns the course's architecture.
func DefaultModelConfig() ModelConfig {
	return ModelConfig{DSize: 64, GSize: 32, ZDim: 100, Alpha: 0.2, InputDrop: 0.2, Drop: 0.5, BNMomentum: 0.9,
		InitStddev: InitStddev, Arch: ArchConv, Upsample: DefaultUpsample}
}

// Pieces are the parts of the model the lesson asks learners to write (its six exercises). Training takes
// them as values, so the notebook's cells, the exercises/ package and the reference code all plug into the
// same loop. The reference versions (pieces_gen.go) are generated from solutions/pieces.go.
type Pieces struct {
	GlobalAveragePool func(x *Node) *Node
	ClassLogits       func(scope *model.Scope, features *Node, extraClass bool) *Node
	GANLogit          func(classLogits *Node, extraClass bool) *Node
	DiscriminatorLoss func(realLogits, realGAN, fakeGAN, labels, mask *Node) *Node
	GeneratorLoss     func(realFeatures, fakeFeatures *Node) *Node
	SplitVariables    func(store *model.Store) (d, g []*model.Variable, err error)

	// The given code that the lesson shows as cells a learner may edit: the networks and the wiring of the
	// losses. nil means the package's own Generator, Discriminator and StepLosses (NewModel fills them
	// in with WithDefaults).
	Generator     func(scope *model.Scope, cfg ModelConfig, z *Node, mode BNMode) *Node
	Discriminator func(scope *model.Scope, cfg ModelConfig, p Pieces, x *Node, mode BNMode) (logits, features *Node)
	StepLosses    func(scope *model.Scope, cfg TrainConfig, p Pieces, x, labels, mask *Node, train BNMode) (dLoss, gLoss, realLogits *Node)
}

// WithDefaults returns p with the package's Generator, Discriminator and StepLosses wherever p has none.
func (p Pieces) WithDefaults() Pieces {
	if p.Generator == nil {
		p.Generator = Generator
	}
	if p.Discriminator == nil {
		p.Discriminator = Discriminator
	}
	if p.StepLosses == nil {
		p.StepLosses = StepLosses
	}
	return p
}

// ReferencePieces returns the reference implementations.
func ReferencePieces() Pieces {
	return Pieces{
		GlobalAveragePool: GlobalAveragePool,
		ClassLogits:       ClassLogits,
		GANLogit:          GANLogit,
		DiscriminatorLoss: DiscriminatorLoss,
		GeneratorLoss:     GeneratorLoss,
		SplitVariables:    SplitVariables,
	}
}

// InitStddev is the default of ModelConfig.InitStddev: 0, GoMLX's He initialisation (the course kept
// TensorFlow's Glorot default, of the same scale). DCGAN's N(0, 0.02) is available, but we measured it
// stalling the classifier: on 8,000 real SVHN images, d=16, no dropout, 15 epochs, test accuracy stayed
// at 13% with N(0, 0.02) while He initialisation reached 22% (features of real and generated images
// drifted far apart: feature-matching loss ~1.1 vs ~0.2).
const InitStddev = 0.0

// WithInit makes the variables created under s start from N(0, stddev); stddev <= 0 keeps GoMLX's default.
func WithInit(s *model.Scope, stddev float64) *model.Scope {
	if stddev <= 0 {
		return s
	}
	return s.WithInitializer(initializer.RandomNormalFn(s, stddev))
}

// Generator maps z [N,ZDim] to images [N,32,32,3] in [-1,1].
//
// The course: dense z -> 4x4x(4g), BN, leaky ReLU; three 5x5 stride-2 transposed convolutions
// 4g -> 2g -> g -> 3 with BN and leaky ReLU between; tanh. By default we double the resolution by
// nearest-neighbour upsampling and a 3x3 convolution instead, which learns images where the transposed
// convolution learned a texture (see upsample.go); cfg.Upsample = UpsampleTransposed gives the course's
// exactly.
func Generator(scope *model.Scope, cfg ModelConfig, z *Node, mode BNMode) *Node {
	s := WithInit(scope.At(GeneratorScope), cfg.InitStddev)
	g4 := 4 * cfg.GSize
	x := Dense(s, "dense", z, 4*4*g4)
	x = Reshape(x, z.Shape().Dimensions[0], 4, 4, g4)
	x = LeakyReLU(BatchNorm(s, "bn0", x, mode), cfg.Alpha)
	x = Upsample(s, cfg.Upsample, "up1", x, 2*cfg.GSize, false) // 8x8
	x = LeakyReLU(BatchNorm(s, "bn1", x, mode), cfg.Alpha)
	x = Upsample(s, cfg.Upsample, "up2", x, cfg.GSize, false) // 16x16
	x = LeakyReLU(BatchNorm(s, "bn2", x, mode), cfg.Alpha)
	x = Upsample(s, cfg.Upsample, "up3", x, data.ImageChannels, true) // 32x32x3
	return Tanh(x)
}

// Discriminator returns the class logits [N, NumLogits] and the features [N, 2d] of images [N,32,32,3].
//
// The course's all-convolutional net, with its bugs fixed: dropout is active in training only, the BN
// after the second convolution is used, and inference uses stored BN statistics. Only passes over real
// images may update those (mode.Update), so at test time the network normalises as it did for real
// data, never for generated images.
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
	logits = p.ClassLogits(s, features, cfg.ExtraClass)
	return logits, features
}
