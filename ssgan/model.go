package ssgan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// TrainConfig holds the training hyperparameters. DefaultTrainConfig gives the course's.
type TrainConfig struct {
	Model        ModelConfig
	Data         data.DatasetOptions // Recorded so that evaluating a checkpoint uses the same test set.
	BatchSize    int                 // 128.
	Epochs       int                 // 25.
	LearningRate float64             // 3e-4, for both players.
	Beta1        float64             // Adam's beta1: 0.5, as DCGAN recommends for GANs.
	LRDecay      float64             // Both learning rates are multiplied by this after each epoch: 0.9.
	Seed         uint64              // Seeds weights, noise, dropout, shuffling and the label pick.
	// SupervisedOnly trains the discriminator on the labelled images alone: no generator, no unsupervised
	// loss. The baseline that shows what the GAN adds, on the same network, data and budget.
	SupervisedOnly bool
	BNBatches      int // Batches of real images that recompute the inference BN statistics after each epoch (0: keep the moving averages).
	// Recipe is RecipeCourse (the lesson's; "" means it) or RecipeImproved (Salimans et al. 2016, see
	// improved.go).
	Recipe string
	// UnlabelledWeight scales the improved recipe's unsupervised loss (1).
	UnlabelledWeight float64
	// EMADecay is the improved recipe's per-step decay of the averaged discriminator weights that it
	// evaluates with (MNIST: 0.9999, the reference's).
	EMADecay float64
}

// The two training recipes.
const (
	RecipeCourse   = "course"
	RecipeImproved = "improved"
)

// The two network families: the course's convolutional networks on 32x32x3 images, and the MLPs of the
// improved recipe on MNIST's 784 grey pixels.
const (
	ArchConv = "conv"
	ArchMLP  = "mlp"
)

// MNISTTrainConfig returns the improved recipe's MNIST settings (the reference's): MLP networks,
// 100 labels, batch 100, learning rate 0.003 for both players, no decay.
func MNISTTrainConfig() TrainConfig {
	cfg := DefaultTrainConfig()
	cfg.Recipe, cfg.Model.Arch = RecipeImproved, ArchMLP
	cfg.Data.Dataset, cfg.Data.Labels = data.DatasetMNIST, 100
	cfg.BatchSize, cfg.LearningRate, cfg.LRDecay, cfg.Epochs = 100, 0.003, 1, 30
	cfg.EMADecay = 0.9999 // The reference's: test weights average about the last 10,000 steps (17 epochs).
	return cfg
}

// DefaultTrainConfig returns the course's settings.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{Model: DefaultModelConfig(), Data: data.DefaultDatasetOptions(), BatchSize: 128, Epochs: 25, LearningRate: 3e-4, Beta1: 0.5,
		LRDecay: 0.9, Seed: 1, BNBatches: 20, UnlabelledWeight: 1, EMADecay: 0.999}
}

// Validate reports the first bad value, naming it.
func (c TrainConfig) Validate() error {
	if err := c.Data.Validate(); err != nil {
		return err
	}
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
		return fmt.Errorf("learning rate %g: must be > 0", c.LearningRate)
	case !(c.Beta1 >= 0 && c.Beta1 < 1):
		return fmt.Errorf("beta1 %g: must be in [0, 1)", c.Beta1)
	case !(c.LRDecay > 0 && c.LRDecay <= 1):
		return fmt.Errorf("learning-rate decay %g: must be in (0, 1]", c.LRDecay)
	case !(c.Model.Drop >= 0 && c.Model.Drop < 1):
		return fmt.Errorf("drop %g: must be in [0, 1)", c.Model.Drop)
	case !(c.Model.InputDrop >= 0 && c.Model.InputDrop < 1):
		return fmt.Errorf("input_drop %g: must be in [0, 1)", c.Model.InputDrop)
	case c.Recipe != "" && c.Recipe != RecipeCourse && c.Recipe != RecipeImproved:
		return fmt.Errorf("recipe %q: want %s or %s", c.Recipe, RecipeCourse, RecipeImproved)
	case c.Model.Arch != "" && c.Model.Arch != ArchConv && c.Model.Arch != ArchMLP:
		return fmt.Errorf("model %q: want %s or %s", c.Model.Arch, ArchConv, ArchMLP)
	case c.Model.Arch == ArchMLP && c.Recipe != RecipeImproved:
		return fmt.Errorf("model mlp with recipe %q: the MLP networks train with the improved recipe only", c.Recipe)
	case c.Recipe == RecipeImproved && c.Model.Arch != ArchMLP && c.Data.Dataset == data.DatasetMNIST:
		return fmt.Errorf("recipe improved with model %q on mnist: on MNIST the improved recipe runs the MLP networks (-model mlp)", c.Model.Arch)
	case c.Recipe == RecipeImproved && c.Model.ExtraClass:
		return fmt.Errorf("extra_class with the improved recipe: its real-vs-fake logit is the log-sum-exp of the 10 class logits")
	case c.Model.Arch == ArchMLP && c.Data.Dataset != data.DatasetMNIST:
		return fmt.Errorf("model mlp needs -dataset mnist (its networks take 28x28 grey images)")
	case !(c.UnlabelledWeight >= 0):
		return fmt.Errorf("unlabelled weight %g: must be >= 0", c.UnlabelledWeight)
	case c.Recipe == RecipeImproved && !(c.EMADecay >= 0 && c.EMADecay < 1):
		return fmt.Errorf("ema decay %g: must be in [0, 1)", c.EMADecay)
	case checkUpsample(c.Model.Upsample) != nil:
		return checkUpsample(c.Model.Upsample)
	case c.BNBatches < 0:
		return fmt.Errorf("bn_batches %d: must be >= 0", c.BNBatches)
	}
	return nil
}

// StepResult is what one training step reports.
type StepResult struct {
	DLoss, GLoss float64
	Correct      float64 // Labelled images of the batch classified right (dropout on, as the course measures).
	Labelled     float64 // Labelled images in the batch.
}

// Model is the SSGAN: both networks' variables in one store, and the compiled graphs that train and use them.
type Model struct {
	Backend compute.Backend
	Store   *model.Store
	Config  TrainConfig
	Pieces  Pieces

	step, eval, sample, refresh *model.Exec
	splitChecked                bool
}

// NewModel creates the networks (their variables are initialised on first use, seeded by cfg.Seed).
func NewModel(backend compute.Backend, cfg TrainConfig, p Pieces) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Backend: backend, Store: model.NewStore(), Config: cfg, Pieces: p.WithDefaults()}
	if err := m.Store.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, err
	}
	var err error
	m.step = newExec(&err, backend, m.Store, m.stepGraph)
	m.eval = newExec(&err, backend, m.Store, m.evalGraph)
	m.sample = newExec(&err, backend, m.Store, m.sampleGraph)
	m.refresh = newExec(&err, backend, m.Store, m.refreshGraph)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// stepGraph builds one simultaneous training step: one forward pass computes both losses (StepLosses),
// then each player's Adam updates only its own variables from its own loss (as the course's two minimize
// ops run together). Inputs: images [N,32,32,3], labels [N] int32, mask [N] float32.
func (m *Model) stepGraph(scope *model.Scope, inputs []*Node) []*Node {
	x, labels, mask := inputs[0], inputs[1], inputs[2]
	g := x.Graph()
	train := BNMode{Dropout: true, BatchStats: true, Update: Scalar(g, dtypes.Float32, 1-m.Config.Model.BNMomentum)}
	dLoss, gLoss, realLogits := m.Pieces.StepLosses(scope, m.Config, m.Pieces, x, labels, mask, train)
	NewAdam(m.Config, DiscriminatorScope).UpdateGraph(m.Store.Scope("/"+DiscriminatorScope), g, dLoss)
	if !m.Config.SupervisedOnly {
		NewAdam(m.Config, GeneratorScope).UpdateGraph(m.Store.Scope("/"+GeneratorScope), g, gLoss)
	}
	correct := ConvertDType(Equal(Predictions(realLogits), labels), dtypes.Float32)
	return []*Node{dLoss, gLoss, ReduceAllSum(Mul(correct, mask)), ReduceAllSum(mask)}
}

// StepLosses wires one training step's losses (the course's model_loss). The discriminator classifies the
// real batch x; it also scores as many generated images, and the generator is asked to match the real
// images' average features. labels [N] int32 and mask [N] float32 (1 where the label is known) go to the
// supervised part. With cfg.SupervisedOnly there is no generator: the loss is the masked cross-entropy
// and gLoss is 0. p must hold the networks (NewModel fills them in).
func StepLosses(scope *model.Scope, cfg TrainConfig, p Pieces, x, labels, mask *Node, train BNMode) (dLoss, gLoss, realLogits *Node) {
	realLogits, realFeatures := p.Discriminator(scope, cfg.Model, p, x, train)
	if cfg.SupervisedOnly {
		return MaskedMean(SoftmaxCrossEntropy(realLogits, labels), mask), ScalarZero(x.Graph(), dtypes.Float32), realLogits
	}
	z := SafeNormal(scope, x.Graph(), shapes.Make(dtypes.Float32, x.Shape().Dimensions[0], cfg.Model.ZDim))
	fake := p.Generator(scope, cfg.Model, z, train)
	// Generated images must not move the inference statistics: no Update on this pass.
	fakeLogits, fakeFeatures := p.Discriminator(scope, cfg.Model, p, fake, BNMode{Dropout: train.Dropout, BatchStats: true})
	realGAN := p.GANLogit(realLogits, cfg.Model.ExtraClass)
	fakeGAN := p.GANLogit(fakeLogits, cfg.Model.ExtraClass)
	dLoss = p.DiscriminatorLoss(realLogits, realGAN, fakeGAN, labels, mask)
	gLoss = p.GeneratorLoss(realFeatures, fakeFeatures)
	return dLoss, gLoss, realLogits
}

// NewAdam is one player's optimizer, the same for both players and both recipes: Adam with the configured
// learning rate and beta1 (0.5, as DCGAN recommends), its state under its own scope ("adam_" + player).
func NewAdam(cfg TrainConfig, player string) optimizer.Interface {
	return optimizer.Adam().LearningRate(cfg.LearningRate).Betas(cfg.Beta1, 0.999).Epsilon(1e-8).
		Scope("adam_" + player).Done()
}

// evalGraph predicts digits for images [N,32,32,3]: dropout off, inference BN statistics.
func (m *Model) evalGraph(scope *model.Scope, x *Node) *Node {
	return predictGraph(scope, m.Config.Model, m.Pieces, x)
}

// refreshGraph folds the batch statistics of real images x into the discriminator's stored BN statistics
// with weight w (a scalar): see refreshStatsGraph.
func (m *Model) refreshGraph(scope *model.Scope, x, w *Node) *Node {
	return refreshStatsGraph(scope, m.Config.Model, m.Pieces, x, w)
}

// predictGraph is the discriminator's prediction for images x: dropout off, inference BN statistics.
func predictGraph(scope *model.Scope, cfg ModelConfig, p Pieces, x *Node) *Node {
	logits, _ := p.Discriminator(scope, cfg, p, x, BNMode{})
	return Predictions(logits)
}

// refreshStatsGraph runs the discriminator on real images x as at inference (dropout off) but with the
// batch's statistics, folding them into the stored ones with weight w. Returns the batch size, a dummy
// output.
func refreshStatsGraph(scope *model.Scope, cfg ModelConfig, p Pieces, x, w *Node) *Node {
	logits, _ := p.Discriminator(scope, cfg, p, x, BNMode{BatchStats: true, Update: w})
	return ReduceAllSum(OnesLike(Slice(logits, AxisRange(), AxisRange(0, 1))))
}

// sampleGraph generates images from z [N,ZDim] with the generator in inference mode.
func (m *Model) sampleGraph(scope *model.Scope, z *Node) *Node {
	return m.Pieces.Generator(scope, m.Config.Model, z, BNMode{})
}

// panicToError turns a recovered panic into an error: an exercise stub's as it is, anything else prefixed.
func panicToError(r any, prefix string) error {
	if e, ok := r.(error); ok {
		if ni := UnwrapNotImplemented(e); ni != e {
			return ni
		}
		return fmt.Errorf("%s%w", prefix, e)
	}
	return fmt.Errorf("%s%v", prefix, r)
}

// call runs an executable, turning graph-building panics into errors.
func call(e *model.Exec, args ...any) (out []*tensors.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicToError(r, "")
		}
	}()
	out, err = e.Call(args...)
	return out, UnwrapNotImplemented(err)
}

func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

// Step trains both players on one batch (which must carry a mask).
func (m *Model) Step(b data.Batch) (StepResult, error) {
	if b.Mask == nil {
		return StepResult{}, fmt.Errorf("training batch without a label mask")
	}
	out, err := call(m.step,
		imagesTensor(b.Pixels, b.Size),
		tensors.FromFlatDataAndDimensions(b.Labels, b.Size),
		tensors.FromFlatDataAndDimensions(b.Mask, b.Size))
	if err != nil {
		return StepResult{}, fmt.Errorf("training step: %w", err)
	}
	if !m.splitChecked && !m.Config.SupervisedOnly { // The variables exist once the first step has been built.
		if err := m.CheckVariableSplit(); err != nil {
			return StepResult{}, err
		}
		m.splitChecked = true
	}
	return StepResult{DLoss: scalar(out[0]), GLoss: scalar(out[1]), Correct: scalar(out[2]), Labelled: scalar(out[3])}, nil
}

// RefreshBNStats recomputes the discriminator's inference BN statistics as the average batch statistics
// of up to maxBatches shuffled batches of real images, with the current weights and dropout off.
//
// The moving averages kept during training lag behind weights that change every step; early in training
// (or in a short run) that lag alone can cost most of the test accuracy. Recomputing them ("precise BN")
// costs a few forward passes per epoch.
func (m *Model) RefreshBNStats(im *data.Images, maxBatches int, seed uint64) error {
	return refreshBNStats(m.refresh, im, m.Config.BatchSize, maxBatches, seed)
}

// refreshBNStats runs a refresh executable (see refreshStatsGraph) over up to maxBatches shuffled
// batches of im, each folded in with weight 1/(k+1): the stored statistics become their average.
func refreshBNStats(refresh *model.Exec, im *data.Images, batchSize, maxBatches int, seed uint64) error {
	k := 0
	for b := range data.Batches(im, batchSize, rand.New(rand.NewPCG(seed, 0xb5)), nil) {
		if k >= maxBatches {
			break
		}
		if b.Size < 2 { // One image has no variance to measure.
			continue
		}
		w := float32(1) / float32(k+1) // Running mean over the batches seen so far.
		if _, err := call(refresh, imagesTensor(b.Pixels, b.Size), w); err != nil {
			return fmt.Errorf("refresh BN statistics: %w", err)
		}
		k++
	}
	return nil
}

// Predict returns the predicted digit of each image of the batch.
func (m *Model) Predict(b data.Batch) ([]int32, error) { return predict(m.eval, b) }

// predict runs a prediction executable (see predictGraph) on a batch of images.
func predict(eval *model.Exec, b data.Batch) ([]int32, error) {
	out, err := call(eval, imagesTensor(b.Pixels, b.Size))
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return tensors.MustCopyFlatData[int32](out[0]), nil
}

// imagesTensor holds n images [n,32,32,3] given as flat pixels.
func imagesTensor(px []float32, n int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(px, n, data.ImageSize, data.ImageSize, data.ImageChannels)
}

// Accuracy is the fraction of images classified right, in batches of batchSize.
func (m *Model) Accuracy(im *data.Images, batchSize int) (float64, error) {
	if im.Len() == 0 {
		return 0, fmt.Errorf("accuracy of an empty set")
	}
	c, err := m.ConfusionMatrix(im, batchSize)
	return c.Accuracy(), err
}

// Generate returns images [n,32,32,3] in [-1,1] for the noise z (n*ZDim values).
func (m *Model) Generate(z []float32) ([]float32, error) {
	return generate(m.sample, z, m.Config.Model.ZDim)
}

// generate runs a sampling executable on the noise z (n*zDim values).
func generate(sample *model.Exec, z []float32, zDim int) ([]float32, error) {
	out, err := call(sample, tensors.FromFlatDataAndDimensions(z, len(z)/zDim, zDim))
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return tensors.MustCopyFlatData[float32](out[0]), nil
}

// newExec wraps model.NewExec so that a model can create its executables in a row and check for an
// error once (after the first error it creates nothing more).
func newExec[F model.ExecGraphFn](err *error, backend compute.Backend, store *model.Store, fn F) *model.Exec {
	if *err != nil {
		return nil
	}
	e, newErr := model.NewExec(backend, store, fn)
	*err = newErr
	return e
}

// learningRateVars returns the two players' learning-rate variables (created by Adam on the first step).
func (m *Model) learningRateVars() []*model.Variable {
	var vars []*model.Variable
	for _, p := range []string{DiscriminatorScope, GeneratorScope} {
		if v := m.Store.GetVariable("/" + p + "/" + optimizer.Scope + "/" + optimizer.ParamLearningRate); v != nil {
			vars = append(vars, v)
		}
	}
	return vars
}

// LearningRate returns the current learning rate (the course's shrink_lr changes both players' together).
func (m *Model) LearningRate() float64 {
	for _, v := range m.learningRateVars() {
		return scalar(v.MustValue())
	}
	return m.Config.LearningRate
}

// DecayLearningRate multiplies both players' learning rates by the configured decay (0.9).
func (m *Model) DecayLearningRate() error {
	for _, v := range m.learningRateVars() {
		if err := v.SetValue(tensors.FromValue(float32(scalar(v.MustValue()) * m.Config.LRDecay))); err != nil {
			return err
		}
	}
	return nil
}

// CheckVariableSplit asks the pieces' SplitVariables for each player's variables and verifies the answer:
// every trainable variable belongs to exactly one player, and to the one whose optimizer updates it
// (each Adam updates the variables under its player's scope).
func (m *Model) CheckVariableSplit() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicToError(r, "variable split: ")
		}
	}()
	d, g, err := m.Pieces.SplitVariables(m.Store)
	if err != nil {
		return fmt.Errorf("variable split: %w", err)
	}
	return VerifySplit(m.Store, d, g)
}

// VerifySplit checks a split of the store's trainable variables into the discriminator's d and the
// generator's g, and says what is wrong in the learner's terms.
func VerifySplit(store *model.Store, d, g []*model.Variable) error {
	owners := make(map[*model.Variable]int)
	var problems []string
	for _, list := range []struct {
		player, other string
		vars          []*model.Variable
	}{{"discriminator", "generator", d}, {"generator", "discriminator", g}} {
		for _, v := range list.vars {
			owners[v]++
			switch {
			case strings.HasPrefix(v.Path(), "/"+list.player+"/"):
			case strings.HasPrefix(v.Path(), "/"+list.other+"/"):
				problems = append(problems, fmt.Sprintf("a %s variable (%s) is in the %s's list: "+
					"the %s's optimizer would update it", list.other, v.Path(), list.player, list.player))
			default:
				problems = append(problems, fmt.Sprintf("%s is in the %s's list but is not under /%s/",
					v.Path(), list.player, list.player))
			}
		}
		if len(list.vars) == 0 {
			problems = append(problems, "the "+list.player+"'s list is empty")
		}
	}
	for v := range store.IterVariables() {
		if !v.Trainable {
			continue
		}
		switch owners[v] {
		case 0:
			problems = append(problems, v.Path()+" belongs to no player and would never be trained")
		case 1:
		default:
			problems = append(problems, v.Path()+" belongs to both players")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("variable split: %s", firstFew(problems, 4))
	}
	return nil
}

// firstFew joins the first n problems and counts the rest, so that a message stays readable when a
// mistake affects every variable.
func firstFew(problems []string, n int) string {
	if len(problems) <= n {
		return strings.Join(problems, "; ")
	}
	return fmt.Sprintf("%s; … and %d more", strings.Join(problems[:n], "; "), len(problems)-n)
}
