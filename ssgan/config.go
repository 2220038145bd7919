package ssgan

import (
	"fmt"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// The two training recipes.
const (
	RecipeCourse   = "course"   // The lesson's: one simultaneous step of both players on one batch.
	RecipeImproved = "improved" // Salimans et al. 2016 (recipe_improved.go says what differs and why).
)

// The network families: the course's convolutional networks (any image size divisible by 4, colour or
// grey), the improved recipe's MLPs of the reference's MNIST script, and its SVHN script's networks.
const (
	ArchConv  = "conv"
	ArchMLP   = "mlp"
	ArchPaper = "paper" // The paper's SVHN networks (paper.go): weight-normalised, deeper and wider.
)

// TrainConfig holds everything that decides a run: the data, the networks, the recipe and the budget.
// DefaultConfig gives the settings per data set and recipe; Validate accepts exactly the combinations
// that train.
type TrainConfig struct {
	Model        ModelConfig
	Data         data.DatasetOptions // Recorded so that evaluating a checkpoint uses the same test set.
	BatchSize    int                 // 128.
	Epochs       int                 // 25.
	LearningRate float64             // 3e-4, for both players.
	Beta1        float64             // Adam's beta1: 0.5, as DCGAN recommends for GANs.
	// AdamEpsilon says where Adam adds its 1e-8: AdamEpsilonOutside (GoMLX's; "" means it) or
	// AdamEpsilonInside (the square root's, as openai/improved-gan's nn.py).
	AdamEpsilon string  `json:",omitempty"`
	LRDecay     float64 // Both learning rates are multiplied by this after each epoch: 0.9 (the improved recipe: 1).
	// LRRampDown brings the learning rate linearly down to 0 over the run's last LRRampDown epochs (the
	// paper's SVHN script: 300 of 900); 0 keeps it.
	LRRampDown int    `json:",omitempty"`
	Seed       uint64 // Seeds weights, noise, dropout, shuffling and the label pick.
	// SupervisedOnly trains the discriminator on the labelled images alone: no generator, no unsupervised
	// loss. The baseline that shows what the GAN adds, on the same network, data and budget.
	SupervisedOnly bool
	BNBatches      int // Batches of real images that recompute the inference BN statistics after each epoch (0: keep the moving averages).
	// Recipe is RecipeCourse (the lesson's; "" means it) or RecipeImproved.
	Recipe string
	// UnlabelledWeight scales the improved recipe's unsupervised loss (1).
	UnlabelledWeight float64
	// EMADecay is the improved recipe's per-step decay of the averaged discriminator weights that it
	// evaluates with (MNIST: 0.9999, the reference's).
	EMADecay float64
}

// ModelConfig holds the networks' hyperparameters. DefaultModelConfig gives the course's.
type ModelConfig struct {
	Arch       string     // ArchConv (the course's networks; "" means it), ArchMLP or ArchPaper.
	Image      data.Shape // The images the networks read and the generator makes (zero: SVHN's 32x32x3).
	DSize      int        // Discriminator width d (course: 64).
	GSize      int        // Generator width g (course: 32).
	ZDim       int        // Noise size (course: 100).
	ExtraClass bool       // K+1 logits (the K classes + fake; 11 for the digits) instead of K with a fixed 0 fake logit.
	Alpha      float64    // Leaky ReLU slope (0.2).
	InputDrop  float64    // Dropout on the discriminator's input (0.2).
	Drop       float64    // Dropout after the first and third convolutions (0.5).
	BNMomentum float64    // Weight of the old value in the inference statistics' moving averages.
	InitStddev float64    // Weights start from N(0, InitStddev); 0 keeps GoMLX's default (He) initialisation.
	Upsample   string     // How the generator doubles resolution: UpsampleResize (DefaultUpsample; "" means it), UpsampleTransposed (the course's) or UpsampleSubpixel.
	// Classes names the classes, in label order (a folder's class folders, sorted); empty means the
	// digits 0..9 of SVHN and MNIST. The checkpoint keeps them, so eval and predict can name classes.
	Classes []string `json:",omitempty"`
}

// NumClasses is the number of classes the discriminator tells apart: K (10 digits unless Classes says).
func (c ModelConfig) NumClasses() int {
	if len(c.Classes) > 0 {
		return len(c.Classes)
	}
	return NumClasses
}

// ClassNames returns the class names in label order: Classes, or "0".."9".
func (c ModelConfig) ClassNames() []string {
	if len(c.Classes) > 0 {
		return c.Classes
	}
	return data.DigitNames()
}

// HasDropout says whether the discriminator drops anything in training.
func (c ModelConfig) HasDropout() bool { return c.Drop > 0 || c.InputDrop > 0 }

// ImageShape is the shape of the images the networks read (SVHN's when unset).
func (c ModelConfig) ImageShape() data.Shape {
	if c.Image == (data.Shape{}) {
		return data.SVHNShape
	}
	return c.Image
}

// DefaultModelConfig returns the course's architecture.
func DefaultModelConfig() ModelConfig {
	return ModelConfig{Arch: ArchConv, Image: data.SVHNShape, DSize: 64, GSize: 32, ZDim: 100, Alpha: 0.2, InputDrop: 0.2,
		Drop: 0.5, BNMomentum: 0.9, InitStddev: InitStddev, Upsample: DefaultUpsample}
}

// DefaultTrainConfig returns the course's settings (SVHN, the course's recipe and networks).
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{Model: DefaultModelConfig(), Data: data.DefaultDatasetOptions(), BatchSize: 128, Epochs: 25, LearningRate: 3e-4, Beta1: 0.5,
		LRDecay: 0.9, Seed: 1, BNBatches: 20, Recipe: RecipeCourse, UnlabelledWeight: 1, EMADecay: 0.999}
}

// DefaultConfig returns the settings for a data set ("" is SVHN), a recipe ("" picks the data set's) and a
// network family ("" picks the recipe's):
//   - SVHN: the course's recipe and conv networks (DefaultTrainConfig); with the improved recipe the
//     same networks and budget with a constant learning rate, as the reference.
//   - MNIST: the improved recipe on the MLPs of the reference's MNIST script: 100 labels, batch 100,
//     learning rate 0.003 for both players, constant; the official 60,000 / 10,000 split; test weights
//     averaged over ~10,000 steps. With -recipe course, the conv networks on 28x28 grey digits.
//   - A folder of images (data.LoadFolder): SVHN's settings, on the images resized to 32x32 colour,
//     every labelled image used, a fifth of each class held apart to test on when there is no test/.
//   - The MLPs on any data: no dropout (they regularise with Gaussian noise), the reference's batch,
//     learning rate and averaging.
func DefaultConfig(dataset, recipe, arch string) TrainConfig {
	cfg := DefaultTrainConfig()
	if dataset == data.DatasetFolder {
		// Your own images: the SVHN settings on 32x32 colour images, every labelled image used.
		cfg.Data.Dataset, cfg.Data.Labels, cfg.Data.ValidFraction, cfg.Data.HoldOut = data.DatasetFolder, 0, 0, data.DefaultHoldOut
		cfg.Data.Image = data.SVHNShape
	}
	if dataset == data.DatasetMNIST {
		cfg.Data.Dataset, cfg.Data.Labels, cfg.Data.ValidFraction = data.DatasetMNIST, 100, 0
		cfg.Model.Image = data.MNISTShape
		if recipe == "" {
			recipe = RecipeImproved
		}
		if arch == "" && recipe == RecipeImproved {
			arch = ArchMLP
		}
	}
	if recipe == "" && (arch == ArchMLP || arch == ArchPaper) {
		recipe = RecipeImproved // The only recipe these networks train with.
	}
	if recipe != "" {
		cfg.Recipe = recipe
	}
	if arch != "" {
		cfg.Model.Arch = arch
	}
	if r, err := recipeFor(cfg.Recipe); err == nil { // An unknown recipe is Validate's to refuse.
		r.defaults(&cfg)
	}
	if cfg.Model.Arch == ArchMLP {
		cfg.Model.Drop, cfg.Model.InputDrop = 0, 0
		cfg.BatchSize, cfg.LearningRate, cfg.Epochs = 100, 0.003, 30
		cfg.EMADecay = 0.9999 // The reference's: test weights average about the last 10,000 steps (17 epochs).
	}
	if cfg.Model.Arch == ArchPaper { // The SVHN script's settings (ssgan/presets/svhn-paper.json names them).
		cfg.Model.DSize, cfg.Model.GSize, cfg.Model.InputDrop, cfg.Model.Drop = 64, 128, 0.2, 0.5
		cfg.BatchSize, cfg.LearningRate, cfg.Epochs, cfg.LRRampDown = 100, 3e-4, 900, 300
		cfg.EMADecay, cfg.AdamEpsilon = 0.9999, AdamEpsilonInside
	}
	return cfg
}

// MNISTTrainConfig returns the improved recipe's MNIST settings (DefaultConfig("mnist", "", "")).
func MNISTTrainConfig() TrainConfig { return DefaultConfig(data.DatasetMNIST, "", "") }

// LearningRateAt is the learning rate of both players during epoch (from 1), the one place that says how
// it changes: LearningRate, multiplied by LRDecay after every epoch (the course's shrink_lr: 0.9; the
// improved recipe's 1 keeps it constant), and brought linearly to 0 over the last LRRampDown epochs. The product is rounded to float32 after each epoch, as the
// optimizers' float32 variables held it when they were decayed in place, so runs repeat to the bit.
func (c TrainConfig) LearningRateAt(epoch int) float64 {
	lr := float32(c.LearningRate)
	for range epoch - 1 {
		lr = float32(float64(lr) * c.LRDecay)
	}
	if c.LRRampDown > 0 { // The SVHN script's lr·min(3 - e/300, 1) for e = epoch-1 of 900.
		lr = float32(float64(lr) * min(1, float64(c.Epochs-epoch+1)/float64(c.LRRampDown)))
	}
	return float64(lr)
}

// Validate reports the first bad value or combination, named by its command-line flag.
func (c TrainConfig) Validate() error {
	if err := c.Data.Validate(); err != nil {
		return err
	}
	mnist, folder := c.Data.Dataset == data.DatasetMNIST, c.Data.Dataset == data.DatasetFolder
	img := c.Model.ImageShape()
	switch {
	case c.Model.DSize < 1:
		return fmt.Errorf("d_size %d: must be >= 1", c.Model.DSize)
	case c.Model.GSize < 1:
		return fmt.Errorf("g_size %d: must be >= 1", c.Model.GSize)
	case c.Model.ZDim < 1:
		return fmt.Errorf("z_dim %d: must be >= 1", c.Model.ZDim)
	case c.BatchSize < 2:
		return fmt.Errorf("batch %d: must be >= 2 (batch normalisation needs two images)", c.BatchSize)
	case c.Epochs < 0:
		return fmt.Errorf("epochs %d: must be >= 0", c.Epochs)
	case !(c.LearningRate > 0):
		return fmt.Errorf("lr %g: must be > 0", c.LearningRate)
	case !(c.Beta1 >= 0 && c.Beta1 < 1):
		return fmt.Errorf("beta1 %g: must be in [0, 1)", c.Beta1)
	case checkAdamEpsilon(c.AdamEpsilon) != nil:
		return checkAdamEpsilon(c.AdamEpsilon)
	case c.AdamEpsilon == AdamEpsilonInside && c.Recipe != RecipeImproved:
		return fmt.Errorf("adam_epsilon inside with recipe %s: the course's recipe trains with the optimizers of the lesson's exercise 7 (TensorFlow's Adam, as the course); the improved recipe takes the reference's", c.Recipe)
	case !(c.LRDecay > 0 && c.LRDecay <= 1):
		return fmt.Errorf("learning-rate decay %g: must be in (0, 1]", c.LRDecay)
	case !(c.Model.Drop >= 0 && c.Model.Drop < 1):
		return fmt.Errorf("drop %g: must be in [0, 1)", c.Model.Drop)
	case !(c.Model.InputDrop >= 0 && c.Model.InputDrop < 1):
		return fmt.Errorf("input_drop %g: must be in [0, 1)", c.Model.InputDrop)
	case c.Model.Arch != "" && c.Model.Arch != ArchConv && c.Model.Arch != ArchMLP && c.Model.Arch != ArchPaper:
		return fmt.Errorf("model %q: want %s, %s or %s", c.Model.Arch, ArchConv, ArchMLP, ArchPaper)
	case c.Model.Arch == ArchPaper && (img.Height != 32 || img.Width != 32):
		return fmt.Errorf("model paper with images of %s: the paper's SVHN networks take 32x32 images", img)
	case c.LRRampDown < 0 || c.LRRampDown > c.Epochs:
		return fmt.Errorf("lr_ramp_down %d: want 0 (off) up to the %d epochs", c.LRRampDown, c.Epochs)
	case c.Model.Arch == ArchMLP && c.Model.HasDropout():
		return fmt.Errorf("model mlp with drop %g / input_drop %g: the MLPs regularise with Gaussian noise, not dropout (set both to 0)", c.Model.Drop, c.Model.InputDrop)
	case !(c.UnlabelledWeight >= 0):
		return fmt.Errorf("unlabelled_weight %g: must be >= 0", c.UnlabelledWeight)
	case checkUpsample(c.Model.Upsample) != nil:
		return checkUpsample(c.Model.Upsample)
	case c.BNBatches < 0:
		return fmt.Errorf("bn_batches %d: must be >= 0", c.BNBatches)
	case img.Height < 4 || img.Width < 4 || img.Height%4 != 0 || img.Width%4 != 0 || img.Channels < 1:
		return fmt.Errorf("images of %s: the networks take images whose sides are multiples of 4", img)
	case mnist && img != data.MNISTShape:
		return fmt.Errorf("dataset mnist with images of %s: MNIST's are 28x28x1", img)
	case folder && img != c.Data.FolderShape():
		return fmt.Errorf("a folder's images are resized to %s but the networks take %s: set both from -image_size and -grey", c.Data.FolderShape(), img)
	case folder && img.Channels != 1 && img.Channels != 3:
		return fmt.Errorf("images of %d channels: a folder's images are read as grey (1) or colour (3)", img.Channels)
	case !mnist && !folder && img != data.SVHNShape:
		return fmt.Errorf("dataset svhn with images of %s: SVHN's are 32x32x3", img)
	case len(c.Model.Classes) == 1:
		return fmt.Errorf("one class (%s): a classifier needs at least 2", c.Model.Classes[0])
	}
	r, err := recipeFor(c.Recipe)
	if err != nil {
		return err
	}
	return r.validate(c)
}
