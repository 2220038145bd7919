package ssgan

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// RunOptions says where a training run writes and what it shows.
type RunOptions struct {
	OutDir      string    // metrics.jsonl, samples_NNN.png, learning_curves.png, checkpoint. "" writes nothing.
	Log         io.Writer // One line per epoch (nil: silent).
	Progress    io.Writer // A progress bar per epoch, for terminals (nil: none).
	SampleRows  int       // Sample grid shape (default 5 x 10, the course's 50 samples).
	SampleCols  int
	StartEpoch  int                      // Epochs already trained (when resuming).
	OnEpoch     func(EpochMetrics) error // Called after each epoch (e.g. a notebook shows the samples).
	SampleEvery int                      // Write samples every N epochs (default 1).
	// TrainEpoch runs one epoch's steps; nil means the package's TrainEpoch (the lesson passes its own cell's).
	TrainEpoch func(ctx context.Context, m *Model, ds *data.Dataset, epoch int, onStep func()) (EpochMetrics, error)
}

// prepare fills in the defaults (a rows x cols sample grid unless set, samples every epoch) and makes
// OutDir ready: fresh for a new run, kept when resuming.
func (opt *RunOptions) prepare(rows, cols int) error {
	if opt.SampleRows <= 0 || opt.SampleCols <= 0 {
		opt.SampleRows, opt.SampleCols = rows, cols
	}
	if opt.SampleEvery <= 0 {
		opt.SampleEvery = 1
	}
	if opt.OutDir == "" {
		return nil
	}
	return PrepareOutDir(opt.OutDir, opt.StartEpoch == 0)
}

// FixedNoise returns n noise vectors drawn from N(0,1) with a seed, so sample grids are comparable across epochs.
func FixedNoise(n, zDim int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0xf1))
	z := make([]float32, n*zDim)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	return z
}

// Train runs the configured number of epochs on ds, writing metrics, samples, curves and a checkpoint
// after each one. It stops with an error on a NaN or infinite loss (the last checkpoint stays intact) and
// when ctx is cancelled between steps. It returns the metrics of every epoch it ran.
func Train(ctx context.Context, m *Model, ds *data.Dataset, opt RunOptions) ([]EpochMetrics, error) {
	cfg := m.Config
	if ds.Train.Len() == 0 {
		return nil, fmt.Errorf("training set is empty: nothing to train on")
	}
	if err := opt.prepare(5, 10); err != nil {
		return nil, err
	}
	z := FixedNoise(opt.SampleRows*opt.SampleCols, cfg.Model.ZDim, cfg.Seed)
	trainEpoch := opt.TrainEpoch
	if trainEpoch == nil {
		trainEpoch = TrainEpoch
	}
	stepsPerEpoch := (ds.Train.Len() + cfg.BatchSize - 1) / cfg.BatchSize
	var history []EpochMetrics
	for epoch := opt.StartEpoch + 1; epoch <= cfg.Epochs; epoch++ {
		var onStep func()
		if opt.Progress != nil {
			bar := progressbar.NewOptions(stepsPerEpoch, progressbar.OptionSetWriter(opt.Progress),
				progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, cfg.Epochs)),
				progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("steps"),
				progressbar.OptionClearOnFinish())
			onStep = func() { _ = bar.Add(1) }
		}
		em, err := trainEpoch(ctx, m, ds, epoch, onStep)
		if err != nil {
			return history, err
		}
		testConfusion, samples, err := endEpoch(m, ds, &em, z, opt.SampleEvery)
		if err != nil {
			return history, err
		}
		history = append(history, em)
		if err := recordEpoch(m, opt, history, samples, testConfusion); err != nil {
			return history, err
		}
		if opt.OnEpoch != nil {
			if err := opt.OnEpoch(em); err != nil {
				return history, err
			}
		}
	}
	return history, nil
}

// endEpoch is the bookkeeping after an epoch's steps: the learning-rate decay, the batch-norm statistics
// recomputed for the new weights, test and validation accuracy, and (every sampleEvery epochs and at the
// last) samples from the fixed noise z with their statistics. It returns the test set's confusion matrix
// and the samples (nil when none were drawn).
func endEpoch(m *Model, ds *data.Dataset, em *EpochMetrics, z []float32, sampleEvery int) (Confusion, []float32, error) {
	cfg := m.Config
	if err := m.DecayLearningRate(); err != nil {
		return Confusion{}, nil, err
	}
	if err := m.RefreshBNStats(ds.Train, cfg.BNBatches, cfg.Seed+uint64(em.Epoch)); err != nil {
		return Confusion{}, nil, err
	}
	// One pass over the test set gives the accuracy and, at the last epoch, the confusion matrix.
	testConfusion, err := m.ConfusionMatrix(ds.Test, cfg.BatchSize)
	if err != nil {
		return Confusion{}, nil, err
	}
	em.TestAcc = testConfusion.Accuracy()
	if ds.Valid != nil && ds.Valid.Len() > 0 {
		if em.ValidAcc, err = m.Accuracy(ds.Valid, cfg.BatchSize); err != nil {
			return Confusion{}, nil, err
		}
	}
	var samples []float32
	if !cfg.SupervisedOnly && (em.Epoch%sampleEvery == 0 || em.Epoch == cfg.Epochs) {
		if samples, err = m.Generate(z); err != nil {
			return Confusion{}, nil, err
		}
		em.SampleNeighbourDiff, em.SampleSpread = NeighbourDifference(samples), SampleSpread(samples)
	}
	return testConfusion, samples, nil
}

// recordEpoch reports the last epoch of history: its log line, and in opt.OutDir the metrics, samples,
// curves and checkpoint, best.ssgan when it is the best so far, and at the last epoch the confusion matrix.
func recordEpoch(m *Model, opt RunOptions, history []EpochMetrics, samples []float32, testConfusion Confusion) error {
	em, cfg := history[len(history)-1], m.Config
	if opt.Log != nil {
		fmt.Fprintf(opt.Log, "Epoch %d/%d  train acc %.4f  test acc %.4f  d_loss %.4f  g_loss %.4f  step %.3fs  epoch %.1fs",
			em.Epoch, cfg.Epochs, em.TrainAcc, em.TestAcc, em.DLoss, em.GLoss, em.StepSeconds, em.EpochSeconds)
		if samples != nil {
			fmt.Fprintf(opt.Log, "  samples: neighbour diff %.3f, spread %.3f", em.SampleNeighbourDiff, em.SampleSpread)
		}
		fmt.Fprintln(opt.Log)
	}
	if opt.OutDir == "" {
		return nil
	}
	if err := writeEpochOutputs(m, opt, em, history, samples); err != nil {
		return err
	}
	// The same rule as BestEpoch (the first epoch with the highest accuracy), so that best.ssgan holds the
	// epoch the final report names.
	if _, best := BestEpoch(history[:len(history)-1]); em.ValidAcc > best {
		if err := saveStoreAs(filepath.Join(opt.OutDir, BestCheckpointFile), m.Store, m.Config, em.Epoch); err != nil {
			return err
		}
	}
	if em.Epoch == cfg.Epochs {
		img, err := testConfusion.PNG(fmt.Sprintf("test set, epoch %d", em.Epoch))
		if err != nil {
			return err
		}
		return data.WriteFileAtomic(filepath.Join(opt.OutDir, ConfusionFile), img)
	}
	return nil
}

// TrainEpoch runs one epoch of training (the course's inner loop): the training images in a new order
// (seeded by the run's seed and the epoch), cfg.BatchSize at a time, each batch one simultaneous step of
// both players. It returns the epoch's mean losses, the accuracy on the labelled images it trained on
// (dropout on, so it lags the test accuracy) and its timing. onStep, if not nil, is called after every
// step. It stops when ctx is cancelled and at the first loss that is not finite.
func TrainEpoch(ctx context.Context, m *Model, ds *data.Dataset, epoch int, onStep func()) (EpochMetrics, error) {
	cfg := m.Config
	em := EpochMetrics{Epoch: epoch, LearningRate: m.LearningRate()}
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(epoch)))
	var correct, labelled float64
	start := time.Now()
	for b := range data.Batches(ds.Train, cfg.BatchSize, rng, ds.Mask) {
		if err := ctx.Err(); err != nil {
			return em, err
		}
		r, err := m.Step(b)
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
	em.EpochSeconds = time.Since(start).Seconds()
	if em.Steps > 0 {
		em.DLoss /= float64(em.Steps)
		em.GLoss /= float64(em.Steps)
		em.StepSeconds = em.EpochSeconds / float64(em.Steps)
		em.StepsPerSecond = float64(em.Steps) / em.EpochSeconds
	}
	if labelled > 0 {
		em.TrainAcc = correct / labelled
	}
	return em, nil
}

// NotFinite says whether a loss is NaN or infinite.
func NotFinite(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// BestEpoch returns the epoch with the best validation accuracy and that accuracy (0, 0 without any).
func BestEpoch(history []EpochMetrics) (epoch int, acc float64) {
	for _, h := range history {
		if h.ValidAcc > acc {
			epoch, acc = h.Epoch, h.ValidAcc
		}
	}
	return epoch, acc
}

// writeEpochOutputs appends the metrics line, writes the sample grid (if samples) and curves, and saves
// the checkpoint.
func writeEpochOutputs(m *Model, opt RunOptions, em EpochMetrics, history []EpochMetrics, samples []float32) error {
	return writeRunOutputs(opt, em, history, samples, m.Config.Model.HasDropout(), func() error { return m.SaveCheckpoint(opt.OutDir, em.Epoch) })
}

// writeRunOutputs is writeEpochOutputs for any model: dropout says whether it trained with dropout (for
// the curves' legend) and save writes its checkpoint.
func writeRunOutputs(opt RunOptions, em EpochMetrics, history []EpochMetrics, samples []float32, dropout bool, save func() error) error {
	line, _ := json.Marshal(em)
	f, err := os.OpenFile(filepath.Join(opt.OutDir, MetricsFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if samples != nil {
		name := filepath.Join(opt.OutDir, fmt.Sprintf("samples_%03d.png", em.Epoch))
		if err := data.WriteFileAtomic(name, EncodePNG(SampleGrid(samples, opt.SampleRows, opt.SampleCols))); err != nil {
			return err
		}
	}
	curves, err := LearningCurves(history, dropout)
	if err != nil {
		return err
	}
	if err := data.WriteFileAtomic(filepath.Join(opt.OutDir, CurvesFile), curves); err != nil {
		return err
	}
	return save()
}

// Output file names.
const (
	MetricsFile = "metrics.jsonl"
	CurvesFile  = "learning_curves.png"
)

// PrepareOutDir makes dir ready for a training run's outputs, before any training: it creates it, removes
// the temporary files an interrupted write left behind, checks that it can write there, and, when fresh
// is set, removes the outputs of an earlier run (metrics, sample grids, curves, checkpoint) so two runs
// never mix in one metrics.jsonl.
func PrepareOutDir(dir string, fresh bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory %s: %w", dir, err)
	}
	stale, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for _, f := range stale {
		os.Remove(f)
	}
	probe, err := data.CreateTempBeside(dir, "write-check", "tmp")
	if err != nil {
		return fmt.Errorf("output directory %s is not writable: %w", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	if fresh {
		for _, f := range RunOutputs(dir) {
			if err := os.Remove(f); err != nil {
				return fmt.Errorf("output directory %s: remove the earlier run's %s: %w", dir, filepath.Base(f), err)
			}
		}
	}
	return nil
}

// RunOutputs lists the files of a training run present in dir.
func RunOutputs(dir string) []string {
	var out []string
	for _, name := range []string{MetricsFile, CurvesFile, CheckpointFile, BestCheckpointFile, ConfusionFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			out = append(out, filepath.Join(dir, name))
		}
	}
	samples, _ := filepath.Glob(filepath.Join(dir, "samples_[0-9][0-9][0-9].png"))
	return append(out, samples...)
}

// DescribeRun states in one line what a run trains: backend, data, label count, sizes, dropout and
// budget, all read from the model and the data set themselves (the notebook prints it to show what ran).
func DescribeRun(m *Model, ds *data.Dataset) string {
	cfg := m.Config
	source := "SVHN"
	switch {
	case cfg.Data.Synthetic:
		source = "generated digits"
	case cfg.Data.Dataset == data.DatasetMNIST:
		source = "MNIST"
	case cfg.Data.File != "":
		source = "SVHN (" + filepath.Base(cfg.Data.File) + ")"
	}
	labelled := 0
	for _, k := range ds.Mask {
		if k {
			labelled++
		}
	}
	validation := 0
	if ds.Valid != nil {
		validation = ds.Valid.Len()
	}
	dropout := "dropout off"
	if cfg.Model.HasDropout() {
		dropout = fmt.Sprintf("dropout %g/%g", cfg.Model.InputDrop, cfg.Model.Drop)
	}
	kind := "SSGAN"
	if cfg.SupervisedOnly {
		kind = "supervised-only"
	}
	return fmt.Sprintf("backend %s; %s: %d training images (%d labelled), %d validation, %d test; %s, d_size %d, g_size %d, %s, extra_class %v, batch %d, %d epochs",
		DescribeBackend(m.Backend), source, ds.Train.Len(), labelled, validation, ds.Test.Len(), kind,
		cfg.Model.DSize, cfg.Model.GSize, dropout, cfg.Model.ExtraClass, cfg.BatchSize, cfg.Epochs)
}
