package ssgan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/report"
)

// Model is the semi-supervised GAN of any configuration: its networks (conv or MLP), its recipe (course
// or improved), both players' variables in one store, and the compiled graphs that train and use them.
// The recipe decides which graphs a step runs (recipe_course.go, recipe_improved.go); everything else
// (prediction, samples, checkpoints, reseeding) is the same for all.
type Model struct {
	Backend compute.Backend
	Store   *model.Store
	Config  TrainConfig
	Pieces  Pieces

	arch                         architecture
	eval, probs, sample, refresh *model.Exec
	features                     *model.Exec // Lazily compiled: only the feature figure uses it.
	// recipe is the training procedure (recipe.go): it owns its compiled steps, the improved recipe's
	// weight averages and batch order, and its first-epoch set-up.
	recipe       recipe
	splitChecked bool
	// labelsSeen holds the training images whose label a loss has used since NewModel or Reseed.
	labelsSeen map[int]bool
}

// sawLabel notes that a loss used training image i's label.
func (m *Model) sawLabel(i int) {
	if m.labelsSeen == nil {
		m.labelsSeen = make(map[int]bool)
	}
	m.labelsSeen[i] = true
}

// LabelledSeen is how many different training images' labels the losses have used since NewModel or
// Reseed: counted from the batches trained on, so it shows a run that uses more labels than it should.
func (m *Model) LabelledSeen() int { return len(m.labelsSeen) }

// NewModel creates the networks (their variables are initialised on first use, seeded by cfg.Seed).
func NewModel(backend compute.Backend, cfg TrainConfig, p Pieces) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Recipe == "" {
		cfg.Recipe = RecipeCourse
	}
	r, err := recipeFor(cfg.Recipe)
	if err != nil {
		return nil, err
	}
	p = p.WithDefaults()
	m := &Model{Backend: backend, Store: model.NewStore(), Config: cfg, Pieces: p, arch: architectureOf(cfg.Model, p), recipe: r}
	if err := m.Store.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, err
	}
	err = r.compile(m)
	m.eval = newExec(&err, backend, m.Store, func(scope *model.Scope, x *Node) *Node {
		return Predictions(m.logits(scope, x), m.Config.Model.NumClasses())
	})
	m.probs = newExec(&err, backend, m.Store, func(scope *model.Scope, x *Node) *Node { return Softmax(m.logits(scope, x), -1) })
	m.features = newExec(&err, backend, m.Store, func(scope *model.Scope, x *Node) []*Node {
		logits, f := m.arch.discriminator(scope, m.Config.Model, m.Pieces, x, BNMode{})
		return []*Node{f, logits} // The logits too: the pure-Go backend fails on a graph whose logits are left unused.
	})
	m.sample = newExec(&err, backend, m.Store, func(scope *model.Scope, z *Node) *Node {
		return m.arch.generator(scope, m.Config.Model, z, BNMode{})
	})
	m.refresh = newExec(&err, backend, m.Store, func(scope *model.Scope, x, w *Node) *Node {
		logits, _ := m.arch.discriminator(scope, m.Config.Model, m.Pieces, x, BNMode{BatchStats: true, Update: w})
		return ReduceAllSum(OnesLike(Slice(logits, AxisRange(), AxisRange(0, 1)))) // A dummy output.
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// logits are the discriminator's class logits at inference (dropout and noise off, stored BN statistics),
// without the extra "fake" logit.
func (m *Model) logits(scope *model.Scope, x *Node) *Node {
	logits, _ := m.arch.discriminator(scope, m.Config.Model, m.Pieces, x, BNMode{})
	return Slice(logits, AxisRange(), AxisRange(0, m.Config.Model.NumClasses()))
}

// InputShape is the shape of the images the model reads.
func (m *Model) InputShape() data.Shape { return m.Config.Model.ImageShape() }

// Noise returns n of the generator's noise vectors, fixed by seed (N(0,1) for the conv generator, U(0,1)
// for the MLP one): sample grids drawn from the same noise are comparable across epochs.
func (m *Model) Noise(n int, seed uint64) []float32 {
	return m.arch.fixedNoise(n, m.Config.Model.ZDim, seed)
}

// NewAdam is one player's optimizer, the same for both players and both recipes: Adam with the configured
// learning rate and beta1 (0.5, as DCGAN recommends), its state under its own scope ("adam_" + player);
// GoMLX's, or with cfg.AdamEpsilon "inside" the reference's (adam.go says how they differ).
func NewAdam(cfg TrainConfig, player string) optimizer.Interface {
	if cfg.AdamEpsilon == AdamEpsilonInside {
		return &referenceAdam{scopeName: "adam_" + player, lr: cfg.LearningRate, beta1: cfg.Beta1, beta2: 0.999}
	}
	return optimizer.Adam().LearningRate(cfg.LearningRate).Betas(cfg.Beta1, 0.999).Epsilon(1e-8).
		Scope("adam_" + player).Done()
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

// imagesTensor holds a batch's images [n,H,W,C].
func imagesTensor(b data.Batch) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(b.Pixels, b.Size, b.Height, b.Width, b.Channels)
}

// Predict returns the predicted class (SVHN: the digit) of each image of the batch (with the test weights).
func (m *Model) Predict(b data.Batch) (pred []int32, err error) {
	err = m.withTestWeights(func() error {
		pred, err = m.predict(b)
		return err
	})
	return pred, err
}

func (m *Model) predict(b data.Batch) ([]int32, error) {
	out, err := call(m.eval, imagesTensor(b))
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return tensors.MustCopyFlatData[int32](out[0]), nil
}

// Probabilities returns, for n images given as bytes (n × InputShape values, row-major NHWC), the
// probability of each class: [n][K] (SVHN: K = 10 digits), with the test weights.
func (m *Model) Probabilities(pixels []uint8, n int) ([][]float32, error) {
	shape := m.InputShape()
	if len(pixels) != n*shape.Values() {
		return nil, fmt.Errorf("predict: %d bytes for %d images of %s", len(pixels), n, shape)
	}
	im := &data.Images{Shape: shape, Pixels: pixels, Labels: make([]int32, n)}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	var out []*tensors.Tensor
	err := m.withTestWeights(func() (err error) {
		out, err = call(m.probs, imagesTensor(im.Gather(idx, nil, m.arch.pixels)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	flat := tensors.MustCopyFlatData[float32](out[0])
	k := m.Config.Model.NumClasses()
	probs := make([][]float32, n)
	for i := range probs {
		probs[i] = flat[i*k : (i+1)*k]
	}
	return probs, nil
}

// Generate returns the generator's images [n,H,W,C] for the noise z (n*ZDim values), in the networks'
// pixel range ([-1,1] for the conv networks, [0,1] for the MLPs).
func (m *Model) Generate(z []float32) ([]float32, error) {
	out, err := call(m.sample, tensors.FromFlatDataAndDimensions(z, len(z)/m.Config.Model.ZDim, m.Config.Model.ZDim))
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return tensors.MustCopyFlatData[float32](out[0]), nil
}

// Samples returns the generator's images for z on the [-1,1] scale that report.SampleGrid and the sample
// statistics read, whatever the networks' own range.
func (m *Model) Samples(z []float32) ([]float32, error) {
	px, err := m.Generate(z)
	if err == nil && m.arch.pixels == data.Unit {
		for i, v := range px {
			px[i] = 2*v - 1
		}
	}
	return px, err
}

// RefreshBNStats recomputes the discriminator's inference BN statistics as the average batch statistics
// of up to maxBatches shuffled batches of real images, with the current weights and dropout off.
//
// The moving averages kept during training lag behind weights that change every step; early in training
// (or in a short run) that lag alone can cost most of the test accuracy. Recomputing them ("precise BN")
// costs a few forward passes per epoch. Networks without batch norm in the discriminator (the MLPs) skip it.
func (m *Model) RefreshBNStats(im *data.Images, maxBatches int, seed uint64) error {
	if !m.arch.batchNorm {
		return nil
	}
	k := 0
	for b := range data.BatchesIn(im, m.Config.BatchSize, rand.New(rand.NewPCG(seed, 0xb5)), nil, m.arch.pixels) {
		if k >= maxBatches {
			break
		}
		if b.Size < 2 { // One image has no variance to measure.
			continue
		}
		w := float32(1) / float32(k+1) // Running mean over the batches seen so far.
		if _, err := call(m.refresh, imagesTensor(b), w); err != nil {
			return fmt.Errorf("refresh BN statistics: %w", err)
		}
		k++
	}
	return nil
}

// learningRateVars returns the players' learning-rate variables (created by Adam on the first step): one
// shared by both in the course's recipe (its optimizers work on the whole store), one per player in the
// improved recipe's and for labels alone.
func (m *Model) learningRateVars() []*model.Variable {
	var vars []*model.Variable
	for _, p := range []string{"", "/" + DiscriminatorScope, "/" + GeneratorScope} {
		if v := m.Store.GetVariable(p + "/" + optimizer.Scope + "/" + optimizer.ParamLearningRate); v != nil {
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

// setLearningRate gives every player's optimizer the learning rate lr (the optimizers create their
// learning-rate variables on the first step; before it they start from the configured rate).
func (m *Model) setLearningRate(lr float64) error {
	for _, v := range m.learningRateVars() {
		if err := v.SetValue(tensors.FromValue(float32(lr))); err != nil {
			return err
		}
	}
	return nil
}

// Reseed puts the model back where NewModel with this seed would start it: every variable (the weights,
// both Adam states, the learning rates, the batch-norm statistics, the weight averages) initialised again
// from the seed, and the recipe's first-epoch set-up to be redone. The compiled graphs stay, so a
// run after Reseed starts training at once, where a new Model would first spend seconds compiling (about
// 7 s at the course's size on XLA CPU); experiment reseeds one model per configuration between seeds.
//
// The variables are initialised in the order they were created, from a generator seeded the same way, so
// a reseeded model trains exactly as a new one with that seed (TestReseedTrainsAsANewModel).
func (m *Model) Reseed(seed uint64) error {
	for v := range m.Store.IterVariables() {
		var err error
		switch v.Name() {
		case model.RNGStateVariableName:
			continue
		case optimizer.GlobalStepVariableName:
			err = v.SetValue(tensors.FromScalar(int64(0)))
		case optimizer.ParamLearningRate:
			var t *tensors.Tensor
			if t, err = tensors.FromAnyValue(shapes.CastAsDType(m.Config.LearningRate, v.Shape().DType)); err == nil {
				err = v.SetValue(t)
			}
		default:
			if strings.HasPrefix(v.Path(), "/"+emaScope+"/") {
				err = v.SetValue(tensors.FromShape(v.Shape()))
			} else {
				err = v.Reset()
			}
		}
		if err != nil {
			return fmt.Errorf("reseeding: variable %s: %w", v.Path(), err)
		}
	}
	if err := m.Store.SetRNGStateFromSeed(int64(seed)); err != nil {
		return fmt.Errorf("reseeding: %w", err)
	}
	if err := m.Store.InitializeVariables(m.Backend, nil); err != nil {
		return fmt.Errorf("reseeding: %w", err)
	}
	m.Config.Seed = seed
	m.recipe.reset()
	m.labelsSeen = nil
	return nil
}

// ConfusionMatrix classifies im in batches with the test weights and counts the answers.
func (m *Model) ConfusionMatrix(im *data.Images, batchSize int) (c report.Confusion, err error) {
	err = m.withTestWeights(func() error {
		c, err = m.confusion(im, batchSize)
		return err
	})
	return c, err
}

// Accuracy is the fraction of images classified right (with the test weights), in batches of batchSize.
func (m *Model) Accuracy(im *data.Images, batchSize int) (float64, error) {
	if im.Len() == 0 {
		return 0, fmt.Errorf("accuracy of an empty set")
	}
	c, err := m.ConfusionMatrix(im, batchSize)
	return c.Accuracy(), err
}

// confusion classifies im in batches with the weights the model holds now and counts the answers.
func (m *Model) confusion(im *data.Images, batchSize int) (report.Confusion, error) {
	c := report.NewConfusion(m.Config.Model.ClassNames())
	for b := range data.BatchesIn(im, batchSize, nil, nil, m.arch.pixels) {
		pred, err := m.predict(b)
		if err != nil {
			return c, err
		}
		c.Add(pred, b.Labels)
	}
	return c, nil
}

// evaluate measures the test weights after an epoch: the batch-norm statistics recomputed for them
// (seeded by seed), then the test set's confusion matrix and the validation accuracy (0 without a
// validation set).
func (m *Model) evaluate(ds *data.Dataset, seed uint64) (test report.Confusion, valid float64, err error) {
	cfg := m.Config
	err = m.withTestWeights(func() error {
		if err := m.RefreshBNStats(ds.Train, cfg.BNBatches, seed); err != nil {
			return err
		}
		if test, err = m.confusion(ds.Test, cfg.BatchSize); err != nil {
			return err
		}
		if ds.Valid != nil && ds.Valid.Len() > 0 {
			c, err := m.confusion(ds.Valid, cfg.BatchSize)
			valid = c.Accuracy()
			return err
		}
		return nil
	})
	return test, valid, err
}

// Features returns the discriminator's features of the images, [n][F], with the test weights (the
// improved recipe's averages), dropout and noise off and the stored batch-norm statistics.
func (m *Model) Features(im *data.Images) ([][]float32, error) {
	var rows [][]float32
	err := m.withTestWeights(func() error {
		for b := range data.BatchesIn(im, m.Config.BatchSize, nil, nil, m.arch.pixels) {
			out, err := call(m.features, imagesTensor(b))
			if err != nil {
				return err
			}
			rows = append(rows, splitRows(tensors.MustCopyFlatData[float32](out[0]), b.Size)...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	return rows, nil
}

// GeneratedFeatures returns the discriminator's features of n images from the generator (noise from
// seed), as Features does for real ones.
func (m *Model) GeneratedFeatures(n int, seed uint64) ([][]float32, error) {
	if n < 1 {
		return nil, fmt.Errorf("features of generated images: %d images; want at least 1", n)
	}
	px, err := m.Generate(m.arch.fixedNoise(n, m.Config.Model.ZDim, seed)) // The noise this generator trains on.
	if err != nil {
		return nil, err
	}
	s := m.InputShape()
	var out []*tensors.Tensor
	err = m.withTestWeights(func() (err error) {
		out, err = call(m.features, tensors.FromFlatDataAndDimensions(px, n, s.Height, s.Width, s.Channels))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("features of generated images: %w", err)
	}
	return splitRows(tensors.MustCopyFlatData[float32](out[0]), n), nil
}

func splitRows(flat []float32, n int) [][]float32 {
	f := len(flat) / n
	rows := make([][]float32, n)
	for i := range rows {
		rows[i] = flat[i*f : (i+1)*f]
	}
	return rows
}
