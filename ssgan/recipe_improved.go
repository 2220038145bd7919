package ssgan

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// The improved recipe of "Improved Techniques for Training GANs" (Salimans et al. 2016), as its MNIST
// script runs it, on either network family. What differs from the course's recipe, and why:
//
//   - Each step sees a labelled batch of its own (the labelled images, reshuffled and cycled) beside an
//     unlabelled batch from all training images: every step learns from labels, where the course's
//     batches hold ~1.75 labelled images on average.
//   - The discriminator's unsupervised loss, with l = logsumexp of the class logits (the lesson's stable
//     GANLogit without the extra class): -0.5·mean(l_unl) + 0.5·mean(softplus(l_unl)) +
//     0.5·mean(softplus(l_fake)), weighted by UnlabelledWeight, plus the supervised cross-entropy.
//   - Feature matching compares the batch means of the last hidden layer by their mean squared
//     difference, on a second, independently shuffled unlabelled batch. (On the paper's SVHN networks,
//     as its SVHN script: the pooled features' mean absolute difference, the lesson's exercise 5.)
//   - The players update in turn: the discriminator first, then the generator against the updated
//     discriminator, each with its own Adam (beta1 0.5); the learning rate stays constant.
//   - On the MLPs: weight normalisation with data-dependent initialisation, and Gaussian-noise layers
//     that act as the discriminator's regulariser (see paper.go).
//   - Test accuracy uses an exponential moving average of the discriminator's weights. The averages start
//     at zero and are divided by 1 - decay^steps (as Adam corrects its moments), so early epochs are not
//     pulled toward the starting point; the reference leaves that start-up bias in.

// ImprovedDiscriminatorLoss is the improved recipe's unsupervised loss from the GAN logits (log-sum-exp
// of the class logits) of unlabelled real images [N] and generated ones [M]: with D(x) = σ(l), it is
// -0.5·E[log D(real)] - 0.5·E[log(1-D(fake))], written with softplus so it is finite for any logit.
func ImprovedDiscriminatorLoss(lUnl, lFake *Node) *Node {
	realTerm := Add(MulScalar(ReduceAllMean(lUnl), -0.5), MulScalar(ReduceAllMean(Softplus(lUnl)), 0.5))
	return Add(realTerm, MulScalar(ReduceAllMean(Softplus(lFake)), 0.5))
}

// MeanSquaredFeatureMatching is the improved recipe's generator loss: the mean squared difference of the
// batch means of real [N,F] and generated [M,F] features.
func MeanSquaredFeatureMatching(realFeatures, fakeFeatures *Node) *Node {
	return ReduceAllMean(Square(Sub(ReduceMean(realFeatures, 0), ReduceMean(fakeFeatures, 0))))
}

// bnUpdate is the weight of a batch's statistics in the stored batch-norm averages.
func (m *Model) bnUpdate(g *Graph) *Node {
	return Scalar(g, dtypes.Float32, 1-m.Config.Model.BNMomentum)
}

// dStepGraph: one discriminator update on a labelled batch (xLab, yLab) and an unlabelled one (xUnl),
// then the weight averages. Only the unlabelled real images (or, labels alone, the labelled ones) update
// the stored batch-norm statistics. Returns the supervised and unsupervised losses and the labelled
// images classified right.
func (r *ImprovedRecipe) dStepGraph(scope *model.Scope, xLab, yLab, xUnl *Node) []*Node {
	m := r.m
	g, cfg, p, d := xLab.Graph(), m.Config.Model, m.Pieces, m.arch.discriminator
	labMode := BNMode{Dropout: true, BatchStats: true}
	if m.Config.SupervisedOnly {
		labMode.Update = m.bnUpdate(g)
	}
	logitsLab, _ := d(scope, cfg, p, xLab, labMode)
	supervised := ReduceAllMean(SoftmaxCrossEntropy(logitsLab, yLab))
	unsupervised := ScalarZero(g, dtypes.Float32)
	loss := supervised
	if !m.Config.SupervisedOnly {
		logitsUnl, _ := d(scope, cfg, p, xUnl, BNMode{Dropout: true, BatchStats: true, Update: m.bnUpdate(g)})
		z := m.arch.noise(scope, g, xUnl.Shape().Dimensions[0], cfg.ZDim)
		fake := StopGradient(m.arch.generator(scope, cfg, z, BNMode{BatchStats: true}))
		logitsFake, _ := d(scope, cfg, p, fake, BNMode{Dropout: true, BatchStats: true})
		unsupervised = ImprovedDiscriminatorLoss(p.GANLogit(logitsUnl, false), p.GANLogit(logitsFake, false))
		loss = Add(supervised, MulScalar(unsupervised, m.Config.UnlabelledWeight))
	}
	NewAdam(m.Config, DiscriminatorScope).UpdateGraph(m.Store.Scope("/"+DiscriminatorScope), g, loss)
	m.recipe.(*ImprovedRecipe).avg.updateGraph(g)
	correct := ReduceAllSum(ConvertDType(Equal(Predictions(logitsLab, m.Config.Model.NumClasses()), yLab), dtypes.Float32))
	return []*Node{supervised, unsupervised, correct}
}

// gStepGraph: one generator update by feature matching against the unlabelled batch xUnl; the conv
// generator's batch-norm statistics follow its training batches.
func (r *ImprovedRecipe) gStepGraph(scope *model.Scope, xUnl *Node) *Node {
	m := r.m
	g, cfg, p, d := xUnl.Graph(), m.Config.Model, m.Pieces, m.arch.discriminator
	_, realFeatures := d(scope, cfg, p, xUnl, BNMode{Dropout: true, BatchStats: true})
	z := m.arch.noise(scope, g, xUnl.Shape().Dimensions[0], cfg.ZDim)
	fake := m.arch.generator(scope, cfg, z, BNMode{BatchStats: true, Update: m.bnUpdate(g)})
	_, fakeFeatures := d(scope, cfg, p, fake, BNMode{Dropout: true, BatchStats: true})
	loss := MeanSquaredFeatureMatching(StopGradient(realFeatures), fakeFeatures)
	if cfg.Arch == ArchPaper { // The SVHN script matches the pooled features by their mean absolute difference: exercise 5.
		loss = GeneratorLoss(StopGradient(realFeatures), fakeFeatures)
	}
	NewAdam(m.Config, GeneratorScope).UpdateGraph(m.Store.Scope("/"+GeneratorScope), g, loss)
	return loss
}

// prepareGraph creates every variable and runs weight normalisation's data-dependent initialisation on the
// images x: the discriminator's, and the paper's SVHN generator's output layer (the MNIST script's
// generator has none; MLPGenerator ignores the mode).
//
// The pass runs with the Gaussian noise on, as the reference's does (its init pass is a training-mode
// pass): each layer's scale then normalises signal plus noise. The hidden layers never train their
// scale, so this choice fixes for the whole run how loud the noise is against the signal in every layer.
func (r *ImprovedRecipe) prepareGraph(scope *model.Scope, x *Node) *Node {
	m := r.m
	logits, _ := m.arch.discriminator(scope, m.Config.Model, m.Pieces, x, BNMode{Init: true, Dropout: true})
	fake := m.arch.generator(scope, m.Config.Model, m.arch.noise(scope, x.Graph(), x.Shape().Dimensions[0], m.Config.Model.ZDim), BNMode{Init: true})
	return Add(ReduceAllMean(logits), ReduceAllMean(fake))
}

// prepare readies the improved recipe's first epoch on ds, once (a checkpoint's restore counts as done):
// the generator that draws its batches (seeded), every variable (the MLPs: weight normalisation's data-dependent start on 500 images, as the
// reference; the conv networks: one batch through each network), and the zero weight averages.
func (r *ImprovedRecipe) prepare(m *Model, ds *data.Dataset) error {
	if r.prepared {
		return nil
	}
	r.prepared = true
	n := ds.Train.Len()
	switch {
	case len(ds.Labelled()) == 0:
		return fmt.Errorf("no labelled training images")
	case n < m.Config.BatchSize:
		return fmt.Errorf("%d training images: fewer than one batch of %d", n, m.Config.BatchSize)
	}
	r.batches = rand.NewPCG(m.Config.Seed, 0x1a)
	rng := rand.New(r.batches)
	if m.arch.dataInit {
		b := ds.Train.Gather(rng.Perm(n)[:min(500, n)], nil, m.arch.pixels)
		if _, err := call(r.prepareStep, imagesTensor(b)); err != nil {
			return fmt.Errorf("data-dependent initialisation: %w", err)
		}
	} else {
		b := ds.Train.Gather(rng.Perm(n)[:m.Config.BatchSize], nil, m.arch.pixels)
		if _, err := m.predict(b); err != nil {
			return fmt.Errorf("initialise the discriminator: %w", err)
		}
		if _, err := m.Generate(m.Noise(b.Size, m.Config.Seed)); err != nil {
			return fmt.Errorf("initialise the generator: %w", err)
		}
	}
	r.avg = listWeights(m.Store, m.Config.EMADecay, r.avg == nil) // After Reseed the averages exist (at zero).
	return nil
}

// StepD trains the discriminator on a labelled and an unlabelled batch: it returns the supervised and
// unsupervised losses and the labelled images it got right.
func (r *ImprovedRecipe) StepD(lab, unl data.Batch) (sup, unsup, correct float64, err error) {
	out, err := call(r.dStep, imagesTensor(lab), tensors.FromFlatDataAndDimensions(lab.Labels, lab.Size), imagesTensor(unl))
	if err != nil {
		return 0, 0, 0, fmt.Errorf("discriminator step: %w", err)
	}
	for _, i := range lab.Index {
		r.m.sawLabel(i)
	}
	return scalar(out[0]), scalar(out[1]), scalar(out[2]), nil
}

// StepG trains the generator against one unlabelled batch and returns its loss.
func (r *ImprovedRecipe) StepG(unl data.Batch) (float64, error) {
	out, err := call(r.gStep, imagesTensor(unl))
	if err != nil {
		return 0, fmt.Errorf("generator step: %w", err)
	}
	return scalar(out[0]), nil
}

// trainEpoch is the improved recipe's epoch: one pass over the training images in unlabelled batches
// (n / batch steps), every step pairing a labelled batch (the labelled images, reshuffled and cycled) with
// two unlabelled ones, one for each player. The order comes from the recipe's own generator (batches),
// which a checkpoint saves, so a resumed run draws what an uninterrupted one would.
func (r *ImprovedRecipe) trainEpoch(ctx context.Context, ds *data.Dataset, epoch int, onStep func()) (run.EpochMetrics, error) {
	m := r.m
	cfg := m.Config
	em := run.EpochMetrics{Epoch: epoch, LearningRate: m.LearningRate()}
	rng := rand.New(m.recipe.(*ImprovedRecipe).batches)
	n, steps := ds.Train.Len(), ds.Train.Len()/cfg.BatchSize
	unl, unl2 := rng.Perm(n), rng.Perm(n)
	lab := labelledOrder(rng, ds.Labelled(), steps*cfg.BatchSize)
	var correct float64
	start := time.Now()
	for s := 0; s < steps; s++ {
		if err := ctx.Err(); err != nil {
			return em, err
		}
		b := s * cfg.BatchSize
		batch := func(idx []int) data.Batch { return ds.Train.Gather(idx[b:b+cfg.BatchSize], nil, m.arch.pixels) }
		sup, unsup, right, err := r.StepD(batch(lab), batch(unl))
		if err != nil {
			return em, fmt.Errorf("epoch %d step %d: %w", epoch, s+1, err)
		}
		gLoss := 0.0
		if !cfg.SupervisedOnly {
			if gLoss, err = r.StepG(batch(unl2)); err != nil {
				return em, fmt.Errorf("epoch %d step %d: %w", epoch, s+1, err)
			}
		}
		if NotFinite(sup) || NotFinite(unsup) || NotFinite(gLoss) {
			return em, fmt.Errorf("epoch %d step %d: loss is not finite (supervised %g, unsupervised %g, generator %g); "+
				"stopping: try a lower learning rate (the checkpoint of the last finished epoch is intact)", epoch, s+1, sup, unsup, gLoss)
		}
		em.Steps++
		em.DLoss += sup + cfg.UnlabelledWeight*unsup
		em.GLoss += gLoss
		correct += right
		if onStep != nil {
			onStep()
		}
	}
	em.Finish(time.Since(start), correct, float64(em.Steps*cfg.BatchSize))
	return em, nil
}

// labelledOrder returns n indices that go round the labelled images again and again, each round in a
// new random order: every step gets a labelled batch of its own.
func labelledOrder(rng *rand.Rand, labelled []int, n int) []int {
	out := make([]int, 0, n+len(labelled))
	for len(out) < n {
		for _, k := range rng.Perm(len(labelled)) {
			out = append(out, labelled[k])
		}
	}
	return out[:n]
}

// weightAverage is the improved recipe's exponential moving average of the discriminator's weights,
// which the test uses instead of the last step's weights. The averages live in the store under /ema (not
// trainable, so they are saved with a checkpoint), start at zero, and are divided by 1 - decay^steps
// when used, as Adam corrects its moments: early epochs are not pulled toward zero.
type weightAverage struct {
	store *model.Store
	decay float64
	vars  []*model.Variable // The trainable discriminator variables, in the store's order.
}

// emaScope holds the averaged discriminator weights (not trainable).
const emaScope = "ema"

// listWeights returns the averages of the discriminator's trainable variables of store; with create, it
// also creates the (zero) averages and the step counter, which must not exist yet.
func listWeights(store *model.Store, decay float64, create bool) *weightAverage {
	w := &weightAverage{store: store, decay: decay}
	for v := range store.IterVariables() {
		if v.Trainable && strings.HasPrefix(v.Path(), "/"+DiscriminatorScope+"/") {
			w.vars = append(w.vars, v)
		}
	}
	if create {
		for _, v := range w.vars {
			store.VariableWithValue("/"+emaScope+v.Path(), tensors.FromShape(v.MustValue().Shape())).SetTrainable(false)
		}
		store.VariableWithValue("/"+emaScope+"/steps", float32(0)).SetTrainable(false)
	}
	return w
}

// updateGraph folds the weights' current values (after this step's update) into their averages.
func (w *weightAverage) updateGraph(g *Graph) {
	for _, v := range w.vars {
		ema := w.store.GetVariable("/" + emaScope + v.Path())
		ema.SetNodeValue(Add(MulScalar(ema.NodeValue(g), w.decay), MulScalar(v.NodeValue(g), 1-w.decay)))
	}
	steps := w.store.GetVariable("/" + emaScope + "/steps")
	steps.SetNodeValue(AddScalar(steps.NodeValue(g), 1))
}

// apply runs fn with the discriminator's weights replaced by their bias-corrected averages, and puts
// the trained weights back afterwards.
func (w *weightAverage) apply(fn func() error) error {
	steps := scalar(w.store.GetVariable("/" + emaScope + "/steps").MustValue())
	if steps == 0 || w.decay == 0 {
		return fn()
	}
	correction := float32(1 / (1 - math.Pow(w.decay, steps)))
	// Host copies: setting a variable releases its previous tensor.
	saved := make([][]float32, len(w.vars))
	for i, v := range w.vars {
		saved[i] = tensors.MustCopyFlatData[float32](v.MustValue())
		avg := tensors.MustCopyFlatData[float32](w.store.GetVariable("/" + emaScope + v.Path()).MustValue())
		for j := range avg {
			avg[j] *= correction
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(avg, v.Shape().Dimensions...)); err != nil {
			return err
		}
	}
	err := fn()
	for i, v := range w.vars {
		if serr := v.SetValue(tensors.FromFlatDataAndDimensions(saved[i], v.Shape().Dimensions...)); err == nil {
			err = serr
		}
	}
	return err
}

// withTestWeights runs fn with the weights the model is tested with: the improved recipe's averages,
// or (the course's recipe) the trained weights themselves.
func (m *Model) withTestWeights(fn func() error) error { return m.recipe.withTestWeights(fn) }
