package ssgan

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// The improved recipe of "Improved Techniques for Training GANs" (Salimans et al. 2016), as its MNIST
// script runs it, beside the course's. What differs from the course's recipe, and why:
//
//   - Each step sees a labelled batch of its own (the 100 labelled images, reshuffled and cycled) beside
//     an unlabelled batch from all 60,000 training images: every step learns from labels, where the
//     course's batches hold ~1.75 labelled images on average.
//   - The discriminator's unsupervised loss, with l = logsumexp of the class logits (the lesson's stable
//     GANLogit without the extra class): -0.5·mean(l_unl) + 0.5·mean(softplus(l_unl)) +
//     0.5·mean(softplus(l_fake)), weighted by UnlabelledWeight, plus the supervised cross-entropy.
//   - Feature matching compares the batch means of the last hidden layer by their mean squared
//     difference, on a second, independently shuffled unlabelled batch.
//   - The players update in turn: the discriminator first, then the generator against the updated
//     discriminator, each with its own Adam (beta1 0.5).
//   - Weight normalisation with data-dependent initialisation, and Gaussian-noise layers that act as the
//     discriminator's regulariser (see mlp.go).
//   - Test accuracy uses an exponential moving average of the discriminator's weights. The averages start
//     at zero and are divided by 1 - decay^steps (as Adam corrects its moments), so early epochs are not
//     pulled toward the starting point; the reference leaves that start-up bias in.

// MLPModel trains the improved recipe's MLP networks on MNIST.
type MLPModel struct {
	Backend compute.Backend
	Store   *model.Store
	Config  TrainConfig
	Pieces  Pieces // Its GANLogit is the log-sum-exp of the class logits.

	init, dStep, gStep, eval, sample *model.Exec
	initialised                      bool
	avg                              *weightAverage // The discriminator's averaged weights, for testing.
}

// NewMLPModel creates the improved recipe's model. Its variables are created by Initialize.
func NewMLPModel(backend compute.Backend, cfg TrainConfig, p Pieces) (*MLPModel, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Recipe != RecipeImproved {
		return nil, fmt.Errorf("NewMLPModel: recipe %q, want %q", cfg.Recipe, RecipeImproved)
	}
	m := &MLPModel{Backend: backend, Store: model.NewStore(), Config: cfg, Pieces: p}
	if err := m.Store.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, err
	}
	var err error
	m.init = newExec(&err, backend, m.Store, m.initGraph)
	m.dStep = newExec(&err, backend, m.Store, m.dStepGraph)
	m.gStep = newExec(&err, backend, m.Store, m.gStepGraph)
	m.eval = newExec(&err, backend, m.Store, m.evalGraph)
	m.sample = newExec(&err, backend, m.Store, m.sampleGraph)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// initGraph creates every variable and runs weight normalisation's data-dependent initialisation of the
// discriminator on the images x [N,784]. (The generator's output layer, as in the reference, has none.)
func (m *MLPModel) initGraph(scope *model.Scope, x *Node) *Node {
	logits, _ := MLPDiscriminator(scope, x, MLPMode{Init: true})
	fake := MLPGenerator(scope, UniformNoise(scope, x.Graph(), x.Shape().Dimensions[0], m.Config.Model.ZDim))
	return Add(ReduceAllMean(logits), ReduceAllMean(fake))
}

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

// dStepGraph: one discriminator update on a labelled batch (xLab [B,784], yLab [B]) and an unlabelled
// one (xUnl [B,784]), then the moving averages. Returns the supervised loss, the unsupervised loss and
// the number of labelled images classified right.
func (m *MLPModel) dStepGraph(scope *model.Scope, xLab, yLab, xUnl *Node) []*Node {
	g := xLab.Graph()
	train := MLPMode{Noise: true}
	logitsLab, _ := MLPDiscriminator(scope, xLab, train)
	supervised := ReduceAllMean(SoftmaxCrossEntropy(logitsLab, yLab))
	unsupervised := ScalarZero(g, dtypes.Float32)
	loss := supervised
	if !m.Config.SupervisedOnly {
		logitsUnl, _ := MLPDiscriminator(scope, xUnl, train)
		fake := StopGradient(MLPGenerator(scope, UniformNoise(scope, g, xUnl.Shape().Dimensions[0], m.Config.Model.ZDim)))
		logitsFake, _ := MLPDiscriminator(scope, fake, train)
		unsupervised = ImprovedDiscriminatorLoss(m.Pieces.GANLogit(logitsUnl, false), m.Pieces.GANLogit(logitsFake, false))
		loss = Add(supervised, MulScalar(unsupervised, m.Config.UnlabelledWeight))
	}
	NewAdam(m.Config, DiscriminatorScope).UpdateGraph(m.Store.Scope("/"+DiscriminatorScope), g, loss)
	m.avg.updateGraph(g)
	correct := ReduceAllSum(ConvertDType(Equal(Predictions(logitsLab), yLab), dtypes.Float32))
	return []*Node{supervised, unsupervised, correct}
}

// gStepGraph: one generator update by feature matching against the unlabelled batch xUnl [B,784].
func (m *MLPModel) gStepGraph(scope *model.Scope, xUnl *Node) *Node {
	g := xUnl.Graph()
	train := MLPMode{Noise: true}
	_, realFeatures := MLPDiscriminator(scope, xUnl, train)
	fake := MLPGenerator(scope, UniformNoise(scope, g, xUnl.Shape().Dimensions[0], m.Config.Model.ZDim))
	_, fakeFeatures := MLPDiscriminator(scope, fake, train)
	loss := MeanSquaredFeatureMatching(StopGradient(realFeatures), fakeFeatures)
	NewAdam(m.Config, GeneratorScope).UpdateGraph(m.Store.Scope("/"+GeneratorScope), g, loss)
	return loss
}

func (m *MLPModel) evalGraph(scope *model.Scope, x *Node) *Node {
	logits, _ := MLPDiscriminator(scope, x, MLPMode{})
	return Predictions(logits)
}

func (m *MLPModel) sampleGraph(scope *model.Scope, z *Node) *Node {
	return MLPGenerator(scope, z)
}

// Initialize creates the variables, runs the data-dependent initialisation on x (n images of 784 values
// in [0,1]; the reference uses 500) and creates the moving averages.
func (m *MLPModel) Initialize(x []float32) error {
	n := len(x) / data.MNISTValues
	if _, err := call(m.init, tensors.FromFlatDataAndDimensions(x, n, data.MNISTValues)); err != nil {
		return fmt.Errorf("data-dependent initialisation: %w", err)
	}
	m.avg = listWeights(m.Store, m.Config.EMADecay, m.avg == nil) // After Reseed the averages exist (at zero).
	m.initialised = true
	return nil
}

// StepD trains the discriminator on one labelled and one unlabelled batch; it returns the supervised and
// unsupervised losses and the labelled images it got right.
func (m *MLPModel) StepD(xLab []float32, yLab []int32, xUnl []float32) (sup, unsup, correct float64, err error) {
	n := len(yLab)
	out, err := call(m.dStep, tensors.FromFlatDataAndDimensions(xLab, n, data.MNISTValues),
		tensors.FromFlatDataAndDimensions(yLab, n), tensors.FromFlatDataAndDimensions(xUnl, len(xUnl)/data.MNISTValues, data.MNISTValues))
	if err != nil {
		return 0, 0, 0, fmt.Errorf("discriminator step: %w", err)
	}
	return scalar(out[0]), scalar(out[1]), scalar(out[2]), nil
}

// StepG trains the generator on one unlabelled batch and returns its loss.
func (m *MLPModel) StepG(xUnl []float32) (float64, error) {
	out, err := call(m.gStep, tensors.FromFlatDataAndDimensions(xUnl, len(xUnl)/data.MNISTValues, data.MNISTValues))
	if err != nil {
		return 0, fmt.Errorf("generator step: %w", err)
	}
	return scalar(out[0]), nil
}

// Accuracy is the test accuracy on g with the averaged discriminator weights, noise off.
func (m *MLPModel) Accuracy(g *data.Gray, batchSize int) (acc float64, err error) {
	err = m.avg.apply(func() error {
		right := 0
		for start := 0; start < g.Len(); start += batchSize {
			end := min(start+batchSize, g.Len())
			out, err := call(m.eval, tensors.FromFlatDataAndDimensions(grayPixels(g, start, end), end-start, data.MNISTValues))
			if err != nil {
				return fmt.Errorf("predict: %w", err)
			}
			for i, p := range tensors.MustCopyFlatData[int32](out[0]) {
				if p == g.Labels[start+i] {
					right++
				}
			}
		}
		acc = float64(right) / float64(g.Len())
		return nil
	})
	return acc, err
}

// Generate returns images [n,784] in [0,1] for the noise z (n*ZDim values in [0,1)).
func (m *MLPModel) Generate(z []float32) ([]float32, error) {
	return generate(m.sample, z, m.Config.Model.ZDim)
}

// grayPixels returns images start..end-1 of g as float32 in [0,1].
func grayPixels(g *data.Gray, start, end int) []float32 {
	out := make([]float32, (end-start)*data.MNISTValues)
	for i, v := range g.Pixels[start*data.MNISTValues : end*data.MNISTValues] {
		out[i] = float32(v) / 255
	}
	return out
}

// gather returns the images at idx of g as float32 in [0,1] (and their labels).
func gather(g *data.Gray, idx []int) ([]float32, []int32) {
	px := make([]float32, len(idx)*data.MNISTValues)
	labels := make([]int32, len(idx))
	for k, i := range idx {
		for j, v := range g.Pixels[i*data.MNISTValues : (i+1)*data.MNISTValues] {
			px[k*data.MNISTValues+j] = float32(v) / 255
		}
		labels[k] = g.Labels[i]
	}
	return px, labels
}

// TrainMLP runs the improved recipe on MNIST: train holds every training image, of which those with
// mask[i] set are labelled. An epoch is one pass over the unlabelled images (600 steps at batch 100),
// each step pairing a labelled batch with two unlabelled ones (see trainImproved). Writes what Train
// writes to opt.OutDir.
func TrainMLP(ctx context.Context, m *MLPModel, train, test *data.Gray, mask []bool, opt RunOptions) ([]EpochMetrics, error) {
	cfg := m.Config
	if err := opt.prepare(10, 10); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x1a))
	if !m.initialised && train.Len() > 0 {
		initIdx := rng.Perm(train.Len())[:min(500, train.Len())]
		x, _ := gather(train, initIdx)
		if err := m.Initialize(x); err != nil {
			return nil, err
		}
	}
	zRng := rand.New(rand.NewPCG(cfg.Seed, 0xf1))
	z := make([]float32, opt.SampleRows*opt.SampleCols*cfg.Model.ZDim)
	for i := range z {
		z[i] = zRng.Float32()
	}
	run := mlpRun{MLPModel: m, train: train, test: test, z: z}
	return trainImproved(ctx, run, cfg, train.Len(), labelledIndices(mask), rng, opt)
}

// mlpRun is one MNIST run of the improved recipe's loop.
type mlpRun struct {
	*MLPModel
	train, test *data.Gray
	z           []float32 // Fixed noise for the sample grids.
}

func (r mlpRun) gather(idx []int) ([]float32, []int32) { return gather(r.train, idx) }

func (r mlpRun) evaluate(em *EpochMetrics) (err error) {
	em.TestAcc, err = r.Accuracy(r.test, 500)
	return err
}

func (r mlpRun) samples() ([]float32, error) {
	gray, err := r.Generate(r.z)
	if err != nil {
		return nil, err
	}
	return GrayToSVHNScale(gray), nil
}

func (r mlpRun) save(dir string, epoch int) error { return saveStore(dir, r.Store, r.Config, epoch) }

// GrayToSVHNScale turns generated grey images [n,784] in [0,1] into [n,32,32,3] in [-1,1] (black border),
// so the sample grids and their statistics work the same for both data sets.
func GrayToSVHNScale(gray []float32) []float32 {
	n := len(gray) / data.MNISTValues
	const pad = (data.ImageSize - data.MNISTSize) / 2
	out := make([]float32, n*data.ImageValues)
	for i := range out {
		out[i] = -1
	}
	for i := 0; i < n; i++ {
		for y := 0; y < data.MNISTSize; y++ {
			for x := 0; x < data.MNISTSize; x++ {
				v := 2*gray[i*data.MNISTValues+y*data.MNISTSize+x] - 1
				o := i*data.ImageValues + ((y+pad)*data.ImageSize+x+pad)*data.ImageChannels
				out[o], out[o+1], out[o+2] = v, v, v
			}
		}
	}
	return out
}
