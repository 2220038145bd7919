package ssgan

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// ConvImprovedModel runs the improved recipe (see improved.go) on the course's convolutional networks,
// for SVHN: a labelled batch of its own every step, the Salimans form of the unsupervised loss, feature
// matching by mean squared difference against a second unlabelled batch, the two players in turn, and
// tests with the discriminator's averaged weights. The networks stay the course's (batch norm, no weight
// normalisation), so the comparison with the course's recipe changes the training procedure only.
type ConvImprovedModel struct {
	Backend compute.Backend
	Store   *model.Store
	Config  TrainConfig
	Pieces  Pieces // Its GANLogit is the log-sum-exp of the class logits (no extra class).

	dStep, gStep, eval, sample, refresh *model.Exec
	avg                                 *weightAverage
}

// NewConvImprovedModel creates the model; its variables are created on the first call of Initialize.
func NewConvImprovedModel(backend compute.Backend, cfg TrainConfig, p Pieces) (*ConvImprovedModel, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Recipe != RecipeImproved || cfg.Model.Arch == ArchMLP {
		return nil, fmt.Errorf("NewConvImprovedModel: recipe %q with model %q, want the improved recipe on the conv networks", cfg.Recipe, cfg.Model.Arch)
	}
	m := &ConvImprovedModel{Backend: backend, Store: model.NewStore(), Config: cfg, Pieces: p.WithDefaults()}
	if err := m.Store.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, err
	}
	var err error
	m.dStep = newExec(&err, backend, m.Store, m.dStepGraph)
	m.gStep = newExec(&err, backend, m.Store, m.gStepGraph)
	m.eval = newExec(&err, backend, m.Store, m.evalGraph)
	m.sample = newExec(&err, backend, m.Store, m.sampleGraph)
	m.refresh = newExec(&err, backend, m.Store, m.refreshGraph)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// bnUpdate is the weight of a batch's statistics in the stored batch-norm averages.
func (m *ConvImprovedModel) bnUpdate(g *Graph) *Node {
	return Scalar(g, dtypes.Float32, 1-m.Config.Model.BNMomentum)
}

func (m *ConvImprovedModel) noise(scope *model.Scope, g *Graph, n int) *Node {
	return SafeNormal(scope, g, shapes.Make(dtypes.Float32, n, m.Config.Model.ZDim))
}

// dStepGraph: one discriminator update on a labelled batch (xLab, yLab) and an unlabelled one (xUnl),
// then the weight averages. Only the unlabelled real images (or, labels alone, the labelled ones) update
// the stored batch-norm statistics. Returns the supervised and unsupervised losses and the labelled
// images classified right.
func (m *ConvImprovedModel) dStepGraph(scope *model.Scope, xLab, yLab, xUnl *Node) []*Node {
	g, cfg, p := xLab.Graph(), m.Config.Model, m.Pieces
	labMode := BNMode{Dropout: true, BatchStats: true}
	if m.Config.SupervisedOnly {
		labMode.Update = m.bnUpdate(g)
	}
	logitsLab, _ := p.Discriminator(scope, cfg, p, xLab, labMode)
	supervised := ReduceAllMean(SoftmaxCrossEntropy(logitsLab, yLab))
	unsupervised := ScalarZero(g, dtypes.Float32)
	loss := supervised
	if !m.Config.SupervisedOnly {
		logitsUnl, _ := p.Discriminator(scope, cfg, p, xUnl, BNMode{Dropout: true, BatchStats: true, Update: m.bnUpdate(g)})
		fake := StopGradient(p.Generator(scope, cfg, m.noise(scope, g, xUnl.Shape().Dimensions[0]), BNMode{BatchStats: true}))
		logitsFake, _ := p.Discriminator(scope, cfg, p, fake, BNMode{Dropout: true, BatchStats: true})
		unsupervised = ImprovedDiscriminatorLoss(p.GANLogit(logitsUnl, false), p.GANLogit(logitsFake, false))
		loss = Add(supervised, MulScalar(unsupervised, m.Config.UnlabelledWeight))
	}
	NewAdam(m.Config, DiscriminatorScope).UpdateGraph(m.Store.Scope("/"+DiscriminatorScope), g, loss)
	m.avg.updateGraph(g)
	correct := ReduceAllSum(ConvertDType(Equal(Predictions(logitsLab), yLab), dtypes.Float32))
	return []*Node{supervised, unsupervised, correct}
}

// gStepGraph: one generator update by feature matching against the unlabelled batch xUnl; the
// generator's batch-norm statistics follow its training batches.
func (m *ConvImprovedModel) gStepGraph(scope *model.Scope, xUnl *Node) *Node {
	g, cfg, p := xUnl.Graph(), m.Config.Model, m.Pieces
	_, realFeatures := p.Discriminator(scope, cfg, p, xUnl, BNMode{Dropout: true, BatchStats: true})
	fake := p.Generator(scope, cfg, m.noise(scope, g, xUnl.Shape().Dimensions[0]), BNMode{BatchStats: true, Update: m.bnUpdate(g)})
	_, fakeFeatures := p.Discriminator(scope, cfg, p, fake, BNMode{Dropout: true, BatchStats: true})
	loss := MeanSquaredFeatureMatching(StopGradient(realFeatures), fakeFeatures)
	NewAdam(m.Config, GeneratorScope).UpdateGraph(m.Store.Scope("/"+GeneratorScope), g, loss)
	return loss
}

func (m *ConvImprovedModel) evalGraph(scope *model.Scope, x *Node) *Node {
	return predictGraph(scope, m.Config.Model, m.Pieces, x)
}

func (m *ConvImprovedModel) refreshGraph(scope *model.Scope, x, w *Node) *Node {
	return refreshStatsGraph(scope, m.Config.Model, m.Pieces, x, w)
}

func (m *ConvImprovedModel) sampleGraph(scope *model.Scope, z *Node) *Node {
	return m.Pieces.Generator(scope, m.Config.Model, z, BNMode{})
}

// Initialize creates every variable (from one batch of images x) and the zero weight averages.
func (m *ConvImprovedModel) Initialize(x []float32) error {
	if m.avg != nil {
		return nil
	}
	n := len(x) / data.ImageValues
	if _, err := call(m.eval, imagesTensor(x, n)); err != nil {
		return fmt.Errorf("initialise the discriminator: %w", err)
	}
	if _, err := generate(m.sample, FixedNoise(n, m.Config.Model.ZDim, m.Config.Seed), m.Config.Model.ZDim); err != nil {
		return fmt.Errorf("initialise the generator: %w", err)
	}
	m.avg = listWeights(m.Store, m.Config.EMADecay, true)
	return nil
}

// gatherImages returns the images at idx of im scaled to [-1,1], and their labels.
func gatherImages(im *data.Images, idx []int) ([]float32, []int32) {
	px := make([]float32, len(idx)*data.ImageValues)
	labels := make([]int32, len(idx))
	for k, i := range idx {
		for j, v := range im.Pixels[i*data.ImageValues : (i+1)*data.ImageValues] {
			px[k*data.ImageValues+j] = data.ScalePixel(v)
		}
		labels[k] = im.Labels[i]
	}
	return px, labels
}

// Accuracies refreshes the inference batch-norm statistics with the averaged weights (on up to
// cfg.BNBatches shuffled batches of train, seeded) and then measures, with those weights and statistics
// and dropout off, the accuracy on each of sets: one refresh serves them all.
func (m *ConvImprovedModel) Accuracies(train *data.Images, seed uint64, sets ...*data.Images) (accs []float64, err error) {
	err = m.avg.apply(func() error {
		if err := refreshBNStats(m.refresh, train, m.Config.BatchSize, m.Config.BNBatches, seed); err != nil {
			return err
		}
		for _, im := range sets {
			c, err := confusionOf(m.eval, im, m.Config.BatchSize)
			if err != nil {
				return err
			}
			accs = append(accs, c.Accuracy())
		}
		return nil
	})
	return accs, err
}

// StepD trains the discriminator on a labelled batch (xLab, yLab) and an unlabelled one (xUnl), images
// [B,32,32,3] in [-1,1]: it returns the supervised and unsupervised losses and the labelled images it got right.
func (m *ConvImprovedModel) StepD(xLab []float32, yLab []int32, xUnl []float32) (sup, unsup, correct float64, err error) {
	n := len(yLab)
	out, err := call(m.dStep, imagesTensor(xLab, n), tensors.FromFlatDataAndDimensions(yLab, n), imagesTensor(xUnl, len(xUnl)/data.ImageValues))
	if err != nil {
		return 0, 0, 0, fmt.Errorf("discriminator step: %w", err)
	}
	return scalar(out[0]), scalar(out[1]), scalar(out[2]), nil
}

// StepG trains the generator on one unlabelled batch and returns its loss.
func (m *ConvImprovedModel) StepG(xUnl []float32) (float64, error) {
	out, err := call(m.gStep, imagesTensor(xUnl, len(xUnl)/data.ImageValues))
	if err != nil {
		return 0, fmt.Errorf("generator step: %w", err)
	}
	return scalar(out[0]), nil
}

// TrainConvImproved runs the improved recipe on ds with the course's networks (the loop is
// trainImproved's). Writes what Train writes to opt.OutDir.
func TrainConvImproved(ctx context.Context, m *ConvImprovedModel, ds *data.Dataset, opt RunOptions) ([]EpochMetrics, error) {
	cfg := m.Config
	if err := opt.prepare(5, 10); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x1a))
	if ds.Train.Len() >= cfg.BatchSize {
		first, _ := gatherImages(ds.Train, rng.Perm(ds.Train.Len())[:cfg.BatchSize])
		if err := m.Initialize(first); err != nil {
			return nil, err
		}
	}
	run := convRun{ConvImprovedModel: m, ds: ds, z: FixedNoise(opt.SampleRows*opt.SampleCols, cfg.Model.ZDim, cfg.Seed)}
	return trainImproved(ctx, run, cfg, ds.Train.Len(), labelledIndices(ds.Mask), rng, opt)
}

// convRun is one SVHN run of the improved recipe's loop.
type convRun struct {
	*ConvImprovedModel
	ds *data.Dataset
	z  []float32 // Fixed noise for the sample grids.
}

func (r convRun) gather(idx []int) ([]float32, []int32) { return gatherImages(r.ds.Train, idx) }

func (r convRun) evaluate(em *EpochMetrics) error {
	sets := []*data.Images{r.ds.Test}
	if r.ds.Valid != nil && r.ds.Valid.Len() > 0 {
		sets = append(sets, r.ds.Valid)
	}
	accs, err := r.Accuracies(r.ds.Train, r.Config.Seed+uint64(em.Epoch), sets...)
	if err != nil {
		return err
	}
	em.TestAcc = accs[0]
	if len(accs) > 1 {
		em.ValidAcc = accs[1]
	}
	return nil
}

func (r convRun) samples() ([]float32, error) { return generate(r.sample, r.z, r.Config.Model.ZDim) }

// save writes the averaged weights that the test used (with their batch-norm statistics), so eval and
// predict score exactly what the report says.
func (r convRun) save(dir string, epoch int) error {
	return r.avg.apply(func() error { return saveStore(dir, r.Store, r.Config, epoch) })
}
