package ssgan

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// The course's recipe: every step takes one batch of training images with a label mask (about 1.75
// labelled images in a batch of 128 for SVHN's 1,000 of 73,257) and updates both players at once, each
// from its own loss. CourseEpoch is its loop over an epoch.

// StepResult is what one training step reports.
type StepResult struct {
	DLoss, GLoss float64
	Correct      float64 // Labelled images of the batch classified right (dropout on, as the course measures).
	Labelled     float64 // Labelled images in the batch.
}

// stepGraph builds one simultaneous training step: one forward pass computes both losses (StepLosses),
// then the pieces' Optimize (the lesson's exercise 7) has each player's Adam update the variables of its
// list in the pieces' SplitVariables (exercise 6) from its own loss, as the course's two minimize ops with
// their var_lists run together.
// Labels alone have one player: its Adam updates the discriminator's scope. Inputs: images [N,H,W,C],
// labels [N] int32, mask [N] float32.
func (r *CourseRecipe) stepGraph(scope *model.Scope, inputs []*Node) []*Node {
	m := r.m
	x, labels, mask := inputs[0], inputs[1], inputs[2]
	g := x.Graph()
	train := BNMode{Dropout: true, BatchStats: true, Update: Scalar(g, dtypes.Float32, 1-m.Config.Model.BNMomentum)}
	dLoss, gLoss, realLogits := m.Pieces.StepLosses(scope, m.Config, m.Pieces, x, labels, mask, train)
	if m.Config.SupervisedOnly {
		NewAdam(m.Config, DiscriminatorScope).UpdateGraph(m.Store.Scope("/"+DiscriminatorScope), g, dLoss)
	} else {
		dVars, gVars, err := m.Pieces.SplitVariables(m.Store) // The variables exist: the losses created them.
		if err != nil {
			panic(fmt.Errorf("variable split: %w", err))
		}
		m.Pieces.Optimize(m.Store, m.Config, dLoss, gLoss, dVars, gVars)
	}
	correct := ConvertDType(Equal(Predictions(realLogits, m.Config.Model.NumClasses()), labels), dtypes.Float32)
	return []*Node{dLoss, gLoss, ReduceAllSum(Mul(correct, mask)), ReduceAllSum(mask)}
}

// Minimize builds opt's update of exactly the variables in vars from loss, in loss's graph: GoMLX's form of
// TensorFlow's opt.minimize(loss, var_list=vars). While the optimizer builds its graph every other
// variable of the store is marked untrainable, then marked back (a GoMLX optimizer updates the trainable
// variables under the scope it is given, here the whole store). Exercise 7 calls it once per player.
func Minimize(store *model.Store, vars []*model.Variable, opt optimizer.Interface, loss *Node) {
	keep := make(map[*model.Variable]bool, len(vars))
	for _, v := range vars {
		keep[v] = true
	}
	var hidden []*model.Variable
	for v := range store.IterVariables() {
		if v.Trainable && !keep[v] {
			v.SetTrainable(false)
			hidden = append(hidden, v)
		}
	}
	defer func() {
		for _, v := range hidden {
			v.SetTrainable(true)
		}
	}()
	opt.UpdateGraph(store.Scope("/"), loss.Graph(), loss)
}

// StepLosses wires one training step's losses (the course's model_loss). The discriminator classifies the
// real batch x; it also scores as many generated images, and the generator is asked to match the real
// images' average features. labels [N] int32 and mask [N] float32 (1 where the label is known) go to the
// supervised part. With cfg.SupervisedOnly there is no generator: the loss is the masked cross-entropy
// and gLoss is 0. p must hold the networks (NewModel fills them in).
// The lesson shows this function as an editable cell (notebooks/lesson.md); its runs train the cell's copy.
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

// Step trains both players on one batch (which must carry a mask): one step of the course's recipe.
func (r *CourseRecipe) Step(b data.Batch) (StepResult, error) {
	m := r.m
	if b.Mask == nil {
		return StepResult{}, fmt.Errorf("training batch without a label mask")
	}
	out, err := call(r.step, imagesTensor(b),
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
	for k, known := range b.Mask {
		if known > 0 && b.Index != nil {
			m.sawLabel(b.Index[k])
		}
	}
	return StepResult{DLoss: scalar(out[0]), GLoss: scalar(out[1]), Correct: scalar(out[2]), Labelled: scalar(out[3])}, nil
}

// CourseEpoch runs one epoch of the course's recipe (its inner loop): the training images in a new order
// (seeded by the run's seed and the epoch), cfg.BatchSize at a time, each batch one simultaneous step of
// both players. It returns the epoch's mean losses, the accuracy on the labelled images it trained on
// (dropout on, so it lags the test accuracy) and its timing. onStep, if not nil, is called after every
// step. It stops when ctx is cancelled and at the first loss that is not finite.
// The lesson shows this function as an editable cell (notebooks/lesson.md); its runs train the cell's copy.
func CourseEpoch(ctx context.Context, m *Model, ds *data.Dataset, epoch int, onStep func()) (run.EpochMetrics, error) {
	cfg := m.Config
	em := run.EpochMetrics{Epoch: epoch, LearningRate: m.LearningRate()}
	course, err := m.Course()
	if err != nil {
		return em, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(epoch)))
	var correct, labelled float64
	start := time.Now()
	for b := range data.Batches(ds.Train, cfg.BatchSize, rng, ds.Mask) {
		if err := ctx.Err(); err != nil {
			return em, err
		}
		r, err := course.Step(b)
		if err != nil {
			return em, fmt.Errorf("epoch %d step %d: %w", epoch, em.Steps+1, err)
		}
		if NotFinite(r.DLoss) || NotFinite(r.GLoss) {
			return em, fmt.Errorf("epoch %d step %d: loss is not finite (discriminator %g, generator %g); "+
				"stopping: try a lower learning rate (the checkpoint of the last finished epoch is intact)",
				epoch, em.Steps+1, r.DLoss, r.GLoss)
		}
		em.Steps++
		em.DLoss += r.DLoss
		em.GLoss += r.GLoss
		correct += r.Correct
		labelled += r.Labelled
		if onStep != nil {
			onStep()
		}
	}
	em.Finish(time.Since(start), correct, labelled)
	return em, nil
}
