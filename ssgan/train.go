package ssgan

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
	"github.com/ssgan-go/ssgan-go/ssgan/report"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// RunOptions says where a training run writes and what it shows.
type RunOptions struct {
	OutDir     string    // metrics.jsonl, samples_NNN.png, learning_curves.png, checkpoints, confusion.png. "" writes nothing.
	Log        io.Writer // One line per epoch (nil: silent).
	Progress   io.Writer // A progress bar per epoch, for terminals (nil: none).
	SampleRows int       // Sample grid shape (default 5 x 10, the course's 50 samples; MLPs 10 x 10).
	SampleCols int
	// StartEpoch is the number of epochs already trained (when resuming a model from LoadCheckpoint): Train
	// runs epochs StartEpoch+1..Epochs and continues OutDir's metrics.jsonl after its first StartEpoch lines.
	StartEpoch int
	// RefuseEarlierRun makes an OutDir that holds another run's outputs an error (run.ErrEarlierRun; the CLI
	// without -force). Without it a fresh run replaces them, as a notebook cell run again does.
	RefuseEarlierRun bool
	OnEpoch          func(run.EpochMetrics) error // Called after each epoch.
	SampleEvery      int                          // Write samples every N epochs (default 1).
	Watch            run.Watcher                  // Follows the run live (a notebook's panel: ssgan/notebook.Panel); nil: nothing.
	// TrainEpoch runs one epoch's steps; nil means the recipe's own (CourseEpoch for the course's; the
	// lesson passes its own cell's).
	TrainEpoch func(ctx context.Context, m *Model, ds *data.Dataset, epoch int, onStep func()) (run.EpochMetrics, error)
}

// Train runs the configured number of epochs of the model's recipe on ds. It is the one owner of
// opt.OutDir: it holds it against other runs (run.LockOutDir), refuses or replaces an earlier run there
// (opt.RefuseEarlierRun), and writes the run's configuration (config.json). After each epoch it evaluates,
// and in opt.OutDir writes the metrics line, the
// samples, the curves, the checkpoint, best.ssgan when the validation accuracy is the best so far, and at
// the last epoch the confusion matrix. It stops with an error on a NaN or infinite loss (the last
// checkpoint stays intact) and when ctx is cancelled between steps. It returns the metrics of every epoch
// it ran.
func Train(ctx context.Context, m *Model, ds *data.Dataset, opt RunOptions) (trained []run.EpochMetrics, err error) {
	cfg := m.Config
	switch {
	case ds.Train.Len() == 0:
		return nil, fmt.Errorf("training set is empty: nothing to train on")
	case ds.Train.Shape != m.InputShape():
		return nil, fmt.Errorf("the data's images are %s but the networks take %s (set the model's Image, or pick the data set it was built for)", ds.Train.Shape, m.InputShape())
	case len(ds.Classes) == 0 && cfg.Model.NumClasses() != NumClasses:
		return nil, fmt.Errorf("the data's classes are the 10 digits but the model has %d classes (%s): give the data set its Classes",
			cfg.Model.NumClasses(), strings.Join(cfg.Model.ClassNames(), ", "))
	case len(ds.Classes) > 0 && !slices.Equal(ds.Classes, cfg.Model.ClassNames()):
		return nil, fmt.Errorf("the data's classes (%s) are not the model's (%s): set the model's Classes from the data set",
			strings.Join(ds.Classes, ", "), strings.Join(cfg.Model.ClassNames(), ", "))
	}
	if opt.SampleRows <= 0 || opt.SampleCols <= 0 {
		opt.SampleRows, opt.SampleCols = m.arch.gridRows, 10
	}
	opt.SampleEvery = max(opt.SampleEvery, 1)
	var history []run.EpochMetrics // Of the whole run, earlier epochs included.
	if opt.OutDir != "" {
		release, err := run.LockOutDir(opt.OutDir)
		if err != nil {
			return nil, err
		}
		defer release()
		if opt.StartEpoch == 0 && opt.RefuseEarlierRun {
			if err := run.CheckNoEarlierRun(opt.OutDir); err != nil {
				return nil, err
			}
		}
		if err := run.PrepareOutDir(opt.OutDir, opt.StartEpoch == 0); err != nil {
			return nil, err
		}
		if err := run.WriteConfig(opt.OutDir, cfg); err != nil {
			return nil, err
		}
		if opt.StartEpoch > 0 {
			if history, err = run.ResumeMetrics(opt.OutDir, opt.StartEpoch); err != nil {
				return nil, err
			}
		}
	}
	earlier := len(history)
	if err := m.recipe.prepare(m, ds); err != nil {
		return nil, err
	}
	trainEpoch := opt.TrainEpoch
	if trainEpoch == nil {
		trainEpoch = m.recipe.epoch
	}
	z := m.arch.fixedNoise(opt.SampleRows*opt.SampleCols, cfg.Model.ZDim, cfg.Seed)
	steps := m.recipe.stepsPerEpoch(ds.Train.Len(), cfg.BatchSize)
	if opt.Watch != nil {
		opt.Watch.Start(run.Info{FirstEpoch: opt.StartEpoch + 1, Epochs: cfg.Epochs, StepsPerEpoch: steps,
			Dropout: cfg.Model.HasDropout(), SupervisedOnly: cfg.SupervisedOnly})
		defer func() { opt.Watch.End(slices.Clone(history), err) }()
	}
	for epoch := opt.StartEpoch + 1; epoch <= cfg.Epochs; epoch++ {
		if err := m.setLearningRate(cfg.LearningRateAt(epoch)); err != nil {
			return history[earlier:], err
		}
		em, err := trainEpoch(ctx, m, ds, epoch, stepCallback(opt, steps, epoch, cfg.Epochs))
		if err != nil {
			return history[earlier:], err
		}
		testConfusion, samples, err := endEpoch(m, ds, &em, z, opt.SampleEvery)
		if err != nil {
			return history[earlier:], err
		}
		history = append(history, em)
		var grid []byte // The sample grid as PNG, encoded once for the run folder and the watcher.
		if samples != nil && (opt.OutDir != "" || opt.Watch != nil) {
			grid = report.EncodePNG(report.SampleGrid(samples, m.InputShape(), opt.SampleRows, opt.SampleCols))
		}
		if err := recordEpoch(m, opt, history, grid, testConfusion, ds.Valid != nil && ds.Valid.Len() > 0); err != nil {
			return history[earlier:], err
		}
		if opt.Watch != nil {
			opt.Watch.Epoch(slices.Clone(history), grid)
		}
		if opt.OnEpoch != nil {
			if err := opt.OnEpoch(em); err != nil {
				return history[earlier:], err
			}
		}
	}
	if opt.Log != nil && len(history) > earlier {
		// Counted from the batches the loss saw, not from the mask: a port that quietly trains on every
		// label shows here.
		fmt.Fprintf(opt.Log, "labelled images the loss saw in these epochs: %d different ones (the label mask marks %d)\n",
			m.LabelledSeen(), len(ds.Labelled()))
	}
	return history[earlier:], nil
}

// stepCallback returns what runs after each of an epoch's steps: the terminal progress bar (opt.Progress)
// and the watcher's Step; nil when the run has neither.
func stepCallback(opt RunOptions, steps, epoch, epochs int) func() {
	var bar *progressbar.ProgressBar
	if opt.Progress != nil {
		bar = progressbar.NewOptions(steps, progressbar.OptionSetWriter(opt.Progress),
			progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, epochs)),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("steps"),
			progressbar.OptionClearOnFinish())
	}
	if bar == nil && opt.Watch == nil {
		return nil
	}
	done := 0
	return func() {
		done++
		if bar != nil {
			_ = bar.Add(1)
		}
		if opt.Watch != nil {
			opt.Watch.Step(epoch, done)
		}
	}
}

// endEpoch is the bookkeeping after an epoch's steps, the same for every recipe: test and validation accuracy with the test weights (batch-norm statistics recomputed for them first),
// and (every sampleEvery epochs and at the last) samples from the fixed noise z with their statistics.
// It returns the test set's confusion matrix and the samples (nil when none were drawn).
func endEpoch(m *Model, ds *data.Dataset, em *run.EpochMetrics, z []float32, sampleEvery int) (report.Confusion, []float32, error) {
	cfg := m.Config
	testConfusion, valid, err := m.evaluate(ds, cfg.Seed+uint64(em.Epoch))
	if err != nil {
		return report.Confusion{}, nil, err
	}
	em.TestAcc, em.ValidAcc = testConfusion.Accuracy(), valid
	var samples []float32
	if !cfg.SupervisedOnly && (em.Epoch%sampleEvery == 0 || em.Epoch == cfg.Epochs) {
		if samples, err = m.Samples(z); err != nil {
			return report.Confusion{}, nil, err
		}
		shape := m.InputShape()
		em.SampleNeighbourDiff, em.SampleSpread = report.NeighbourDifference(samples, shape), report.SampleSpread(samples, shape)
	}
	return testConfusion, samples, nil
}

// recordEpoch reports the last epoch of history: its log line, and in opt.OutDir the metrics, samples,
// curves and checkpoint, best.ssgan when it is the best so far, and at the last epoch the confusion matrix.
func recordEpoch(m *Model, opt RunOptions, history []run.EpochMetrics, grid []byte, testConfusion report.Confusion, hasValid bool) error {
	em, cfg := history[len(history)-1], m.Config
	if opt.Log != nil {
		line := fmt.Sprintf("Epoch %d/%d  train acc %.4f  test acc %.4f", em.Epoch, cfg.Epochs, em.TrainAcc, em.TestAcc)
		if hasValid { // The accuracy that picks best.ssgan.
			line += fmt.Sprintf("  valid acc %.4f", em.ValidAcc)
		}
		line += fmt.Sprintf("  d_loss %.4f  g_loss %.4f  step %.3fs  epoch %.1fs", em.DLoss, em.GLoss, em.StepSeconds, em.EpochSeconds)
		if grid != nil {
			line += fmt.Sprintf("  samples: neighbour diff %.3f, spread %.3f", em.SampleNeighbourDiff, em.SampleSpread)
		}
		fmt.Fprintln(opt.Log, line) // One write, so that the line never breaks around another writer's output.
	}
	if opt.OutDir == "" {
		return nil
	}
	if err := run.AppendMetrics(opt.OutDir, em); err != nil {
		return err
	}
	if grid != nil {
		if err := data.WriteFileAtomic(filepath.Join(opt.OutDir, run.SamplesFile(em.Epoch)), grid); err != nil {
			return err
		}
	}
	curves, err := report.LearningCurves(history, cfg.Model.HasDropout())
	if err != nil {
		return err
	}
	if err := data.WriteFileAtomic(filepath.Join(opt.OutDir, run.CurvesFile), curves); err != nil {
		return err
	}
	if err := m.SaveCheckpoint(filepath.Join(opt.OutDir, run.CheckpointFile), em.Epoch); err != nil {
		return err
	}
	// The same rule as BestEpoch (the first epoch with the highest accuracy), so that best.ssgan holds the
	// epoch the final report names.
	if _, best := run.BestEpoch(history[:len(history)-1]); em.ValidAcc > best || len(history) == 1 {
		if err := m.SaveCheckpoint(filepath.Join(opt.OutDir, run.BestCheckpointFile), em.Epoch); err != nil {
			return err
		}
	}
	if em.Epoch == cfg.Epochs {
		img, err := testConfusion.PNG(fmt.Sprintf("test set, epoch %d", em.Epoch))
		if err != nil {
			return err
		}
		return data.WriteFileAtomic(filepath.Join(opt.OutDir, run.ConfusionFile), img)
	}
	return nil
}

// NotFinite says whether a loss is NaN or infinite.
func NotFinite(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// DescribeRun states in one line what a run trains: backend, data, label count, recipe, networks,
// dropout and budget, all read from the model and the data set themselves (the notebook prints it to
// show what ran).
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
	case cfg.Data.Dataset == data.DatasetFolder:
		source = fmt.Sprintf("folder %s, %d classes (%s), images resized to %s", cfg.Data.Dir, len(ds.Classes),
			strings.Join(ds.Classes, ", "), cfg.Model.ImageShape())
	}
	validation := "0 validation"
	if cfg.Data.Dataset == data.DatasetFolder && ds.Valid == nil {
		validation += " (no valid/ folder: best.ssgan is the first epoch)"
	}
	if ds.Valid != nil {
		validation = fmt.Sprintf("%d validation", ds.Valid.Len())
		if ds.ValidFromTrain {
			validation += " (unlabelled training images)"
		}
	}
	dropout := "dropout off"
	if cfg.Model.HasDropout() {
		dropout = fmt.Sprintf("dropout %g/%g", cfg.Model.InputDrop, cfg.Model.Drop)
	}
	kind := "SSGAN"
	if cfg.SupervisedOnly {
		kind = "supervised-only"
	}
	nets := fmt.Sprintf("d_size %d, g_size %d", cfg.Model.DSize, cfg.Model.GSize)
	switch cfg.Model.Arch {
	case ArchMLP:
		nets = "MLP networks"
	case ArchPaper:
		nets = fmt.Sprintf("the paper's SVHN networks (d_size %d, g_size %d)", cfg.Model.DSize, cfg.Model.GSize)
	}
	test := fmt.Sprintf("%d test", ds.Test.Len())
	if ds.TestHeldOut {
		test += fmt.Sprintf(" (held apart from the labelled images: %g of each class, seed %d)", cfg.Data.HoldOut, cfg.Data.Seed)
	}
	return fmt.Sprintf("backend %s; %s: %d training images (%d labelled), %s, %s; %s, %s recipe, %s, %s, extra_class %v, batch %d, %d epochs",
		engine.DescribeBackend(m.Backend), source, ds.Train.Len(), len(ds.Labelled()), validation, test, kind, cfg.Recipe,
		nets, dropout, cfg.Model.ExtraClass, cfg.BatchSize, cfg.Epochs)
}
