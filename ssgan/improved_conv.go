package ssgan

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

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
	if m.dStep, err = model.NewExec(backend, m.Store, m.dStepGraph); err != nil {
		return nil, err
	}
	if m.gStep, err = model.NewExec(backend, m.Store, m.gStepGraph); err != nil {
		return nil, err
	}
	if m.eval, err = model.NewExec(backend, m.Store, m.evalGraph); err != nil {
		return nil, err
	}
	if m.sample, err = model.NewExec(backend, m.Store, m.sampleGraph); err != nil {
		return nil, err
	}
	if m.refresh, err = model.NewExec(backend, m.Store, m.refreshGraph); err != nil {
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
	logits, _ := m.Pieces.Discriminator(scope, m.Config.Model, m.Pieces, x, BNMode{})
	return Predictions(logits)
}

func (m *ConvImprovedModel) refreshGraph(scope *model.Scope, x, w *Node) *Node {
	logits, _ := m.Pieces.Discriminator(scope, m.Config.Model, m.Pieces, x, BNMode{BatchStats: true, Update: w})
	return ReduceAllSum(OnesLike(Slice(logits, AxisRange(), AxisRange(0, 1))))
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
	if _, err := call(m.sample, tensors.FromFlatDataAndDimensions(FixedNoise(n, m.Config.Model.ZDim, m.Config.Seed), n, m.Config.Model.ZDim)); err != nil {
		return fmt.Errorf("initialise the generator: %w", err)
	}
	m.avg = listWeights(m.Store, m.Config.EMADecay, true)
	return nil
}

func imagesTensor(px []float32, n int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(px, n, data.ImageSize, data.ImageSize, data.ImageChannels)
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

// Accuracy refreshes the inference batch-norm statistics with the averaged weights (on up to
// cfg.BNBatches batches of train) and measures the accuracy on im with them, dropout off.
func (m *ConvImprovedModel) Accuracy(train, im *data.Images, seed uint64) (acc float64, err error) {
	err = m.avg.apply(func() error {
		k := 0
		rng := rand.New(rand.NewPCG(seed, 0xb5))
		for b := range data.Batches(train, m.Config.BatchSize, rng, nil) {
			if k >= m.Config.BNBatches {
				break
			}
			if b.Size < 2 {
				continue
			}
			if _, err := call(m.refresh, imagesTensor(b.Pixels, b.Size), float32(1)/float32(k+1)); err != nil {
				return fmt.Errorf("refresh BN statistics: %w", err)
			}
			k++
		}
		right := 0
		for b := range data.Batches(im, m.Config.BatchSize, nil, nil) {
			out, err := call(m.eval, imagesTensor(b.Pixels, b.Size))
			if err != nil {
				return fmt.Errorf("predict: %w", err)
			}
			for i, p := range tensors.MustCopyFlatData[int32](out[0]) {
				if p == b.Labels[i] {
					right++
				}
			}
		}
		acc = float64(right) / float64(max(1, im.Len()))
		return nil
	})
	return acc, err
}

// TrainConvImproved runs the improved recipe on ds with the course's networks. An epoch is one pass over
// the training images in unlabelled batches; every step pairs a labelled batch (the labelled images,
// reshuffled and cycled) with two unlabelled ones. The learning rate stays constant (the reference's
// for its first epochs). Writes what Train writes to opt.OutDir.
func TrainConvImproved(ctx context.Context, m *ConvImprovedModel, ds *data.Dataset, opt RunOptions) ([]EpochMetrics, error) {
	cfg := m.Config
	if opt.SampleRows <= 0 || opt.SampleCols <= 0 {
		opt.SampleRows, opt.SampleCols = 5, 10
	}
	if opt.SampleEvery <= 0 {
		opt.SampleEvery = 1
	}
	var labelled []int
	for i, known := range ds.Mask {
		if known {
			labelled = append(labelled, i)
		}
	}
	switch {
	case len(labelled) == 0:
		return nil, fmt.Errorf("no labelled training images")
	case ds.Train.Len() < cfg.BatchSize:
		return nil, fmt.Errorf("%d training images: fewer than one batch of %d", ds.Train.Len(), cfg.BatchSize)
	}
	if opt.OutDir != "" {
		if err := PrepareOutDir(opt.OutDir, opt.StartEpoch == 0); err != nil {
			return nil, err
		}
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x1a))
	first, _ := gatherImages(ds.Train, rng.Perm(ds.Train.Len())[:cfg.BatchSize])
	if err := m.Initialize(first); err != nil {
		return nil, err
	}
	z := FixedNoise(opt.SampleRows*opt.SampleCols, cfg.Model.ZDim, cfg.Seed)
	steps := ds.Train.Len() / cfg.BatchSize
	var history []EpochMetrics
	for epoch := opt.StartEpoch + 1; epoch <= cfg.Epochs; epoch++ {
		em := EpochMetrics{Epoch: epoch, LearningRate: cfg.LearningRate}
		unl, unl2 := rng.Perm(ds.Train.Len()), rng.Perm(ds.Train.Len())
		lab := labelledOrder(rng, labelled, steps*cfg.BatchSize)
		var correct float64
		start := time.Now()
		for s := 0; s < steps; s++ {
			if err := ctx.Err(); err != nil {
				return history, err
			}
			b := s * cfg.BatchSize
			xLab, yLab := gatherImages(ds.Train, lab[b:b+cfg.BatchSize])
			xUnl, _ := gatherImages(ds.Train, unl[b:b+cfg.BatchSize])
			out, err := call(m.dStep, imagesTensor(xLab, cfg.BatchSize), tensors.FromFlatDataAndDimensions(yLab, cfg.BatchSize), imagesTensor(xUnl, cfg.BatchSize))
			if err != nil {
				return history, fmt.Errorf("epoch %d step %d: discriminator step: %w", epoch, s+1, err)
			}
			sup, unsup, right := scalar(out[0]), scalar(out[1]), scalar(out[2])
			gLoss := 0.0
			if !cfg.SupervisedOnly {
				xUnl2, _ := gatherImages(ds.Train, unl2[b:b+cfg.BatchSize])
				gOut, err := call(m.gStep, imagesTensor(xUnl2, cfg.BatchSize))
				if err != nil {
					return history, fmt.Errorf("epoch %d step %d: generator step: %w", epoch, s+1, err)
				}
				gLoss = scalar(gOut[0])
			}
			if NotFinite(sup) || NotFinite(unsup) || NotFinite(gLoss) {
				return history, fmt.Errorf("epoch %d step %d: loss is not finite (supervised %g, unsupervised %g, "+
					"generator %g); stopping: try a lower learning rate", epoch, s+1, sup, unsup, gLoss)
			}
			em.Steps++
			em.DLoss += sup + cfg.UnlabelledWeight*unsup
			em.GLoss += gLoss
			correct += right
		}
		em.EpochSeconds = time.Since(start).Seconds()
		em.DLoss /= float64(em.Steps)
		em.GLoss /= float64(em.Steps)
		em.StepSeconds = em.EpochSeconds / float64(em.Steps)
		em.StepsPerSecond = 1 / em.StepSeconds
		em.TrainAcc = correct / float64(em.Steps*cfg.BatchSize)
		var err error
		if em.TestAcc, err = m.Accuracy(ds.Train, ds.Test, cfg.Seed+uint64(epoch)); err != nil {
			return history, err
		}
		if ds.Valid != nil && ds.Valid.Len() > 0 {
			if em.ValidAcc, err = m.Accuracy(ds.Train, ds.Valid, cfg.Seed+uint64(epoch)); err != nil {
				return history, err
			}
		}
		var samples []float32
		if !cfg.SupervisedOnly && (epoch%opt.SampleEvery == 0 || epoch == cfg.Epochs) {
			if samples, err = generate(m.sample, z, cfg.Model.ZDim); err != nil {
				return history, err
			}
			em.SampleNeighbourDiff, em.SampleSpread = NeighbourDifference(samples), SampleSpread(samples)
		}
		history = append(history, em)
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, "Epoch %d/%d  train acc %.4f  test acc %.4f  d_loss %.4f  g_loss %.4f  step %.3fs  epoch %.1fs\n",
				epoch, cfg.Epochs, em.TrainAcc, em.TestAcc, em.DLoss, em.GLoss, em.StepSeconds, em.EpochSeconds)
		}
		if opt.OutDir != "" {
			// The checkpoint holds the averaged weights the test used (with their batch-norm statistics),
			// so eval and predict score exactly what the report says.
			if err := writeRunOutputs(opt, em, history, samples, cfg.Model.HasDropout(), func() error {
				return m.avg.apply(func() error { return saveStore(opt.OutDir, m.Store, m.Config, em.Epoch) })
			}); err != nil {
				return history, err
			}
		}
		if opt.OnEpoch != nil {
			if err := opt.OnEpoch(em); err != nil {
				return history, err
			}
		}
	}
	return history, nil
}

// generate runs a sampling executable on the noise z (n*zDim values).
func generate(sample *model.Exec, z []float32, zDim int) ([]float32, error) {
	out, err := call(sample, tensors.FromFlatDataAndDimensions(z, len(z)/zDim, zDim))
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return tensors.MustCopyFlatData[float32](out[0]), nil
}
