// Command ssgan trains and evaluates semi-supervised GANs: the course's on SVHN, the improved recipe
// (Salimans et al. 2016) on SVHN or MNIST, and either on a folder of your own images with any number of
// classes.
//
//	ssgan train -data DIR -out DIR [-dataset svhn|mnist] [-recipe course|improved] [-model conv|mlp]
//	ssgan train -data_dir FOLDER -out DIR [-recipe course|improved] [-image_size 32] [-grey] [-hold_out 0.2] [-skip_bad_images]
//	            [-epochs N] [-batch N] [-labels N] [-d_size N] [-g_size N] [-seed N]
//	            [-max_train N] [-max_test N] [-extra_class] [-first_labels] [-synthetic] [-no_download]
//	ssgan train -resume -out DIR [-epochs N]
//	ssgan eval  -ckpt DIR [-data DIR] [-max_test N]
//	ssgan bench [-d_size N] [-g_size N] [-batch N] [-steps N] [-supervised_only] [-drop P] [-input_drop P]
//	ssgan predict -ckpt DIR [-json] IMAGE...   (flags may also follow the images)
//	ssgan experiment -data_file FILE -out DIR [-pool 8000] [-labels 1000] [-seeds 1,2,3] [-configs ssgan,supervised_only]
//	ssgan experiment -dataset mnist -data DIR -out DIR [-labels 100] [-seeds 1,2,3]
//	ssgan experiment -data_dir FOLDER -out DIR [-seeds 1,2,3]
//
// Errors (bad flags, bad data) print one line and exit with status 1 (2 for usage errors).
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
	"github.com/ssgan-go/ssgan-go/ssgan/presets"
	"github.com/ssgan-go/ssgan-go/ssgan/report"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

func main() {
	tuneMalloc()
	os.Exit(runCommand(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: ssgan <command> [flags]

commands:
  train   train on SVHN, MNIST, generated digits or a folder of your own images (-data_dir) with the
          course's or the improved recipe, writing metrics, samples, curves, checkpoints and a confusion matrix
  eval    reload any checkpoint and print its test accuracy, per class
  bench   time training steps on generated data and print steps/s
  experiment  compare configurations (SSGAN, supervised-only) over seeds: a fixed split of one SVHN .mat
          file, MNIST's official split, or a folder of images
  predict classify image files with a checkpoint: the class, its probability and the runner-up

examples (the README's synopsis is these lines, tested):
  ssgan train -data data -out out/svhn                 # the course's run (downloads SVHN)
  ssgan train -data data -out out/paper -recipe improved
  ssgan train -dataset mnist -data data/mnist -out out/mnist
  ssgan train -resume -out out/svhn [-epochs N]        # continue exactly where it stopped
  ssgan eval -ckpt out/svhn                            # accuracy, per class, confusion matrix
  ssgan predict -ckpt out/svhn photo.png [-json]
  ssgan experiment -data_file data/test_32x32.mat -max_test 2000 -out out/exp -seeds 1,2,3
  ssgan bench                                          # time training steps

Run "ssgan <command> -h" for a command's flags, grouped by purpose.
`

// usageError is a bad command line: exit status 2.
type usageError struct{ error }

func runCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch args[0] {
	case "train":
		err = train(ctx, args[1:], stdout, stderr)
	case "eval":
		err = eval(ctx, args[1:], stdout, stderr)
	case "bench":
		err = bench(ctx, args[1:], stdout, stderr)
	case "experiment":
		err = experimentCommand(ctx, args[1:], stdout, stderr)
	case "predict":
		err = predict(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usageError{fmt.Errorf("unknown command %q (want train, eval, bench, experiment or predict)", args[0])}
	}
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "ssgan %s: %s\n", args[0], oneLine(err.Error()))
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// parse parses flags quietly: a bad flag becomes one error line instead of the whole usage text.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	return parseBeforeHelp(fs, args, stderr, nil)
}

// parseBeforeHelp is parse, with beforeHelp (if not nil) called before -h prints the flags.
func parseBeforeHelp(fs *flag.FlagSet, args []string, stderr io.Writer, beforeHelp func()) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			if beforeHelp != nil {
				beforeHelp()
			}
			fmt.Fprintf(stderr, "usage of ssgan %s (flags by purpose):\n", fs.Name())
			printGroupedFlags(stderr, fs)
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// modelFlags registers the network and batch flags, shared by train, bench and experiment.
func modelFlags(fs *flag.FlagSet, cfg *ssgan.TrainConfig) {
	fs.IntVar(&cfg.Model.DSize, "d_size", cfg.Model.DSize, "discriminator width (the course: 64)")
	fs.IntVar(&cfg.Model.GSize, "g_size", cfg.Model.GSize, "generator width (the course: 32)")
	fs.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "batch size")
	fs.BoolVar(&cfg.Model.ExtraClass, "extra_class", cfg.Model.ExtraClass, "one logit per class plus a free fake one (11 for the digits) instead of one per class")
	fs.StringVar(&cfg.Model.Upsample, "upsample", cfg.Model.Upsample,
		"how the generator doubles resolution: transposed (the course's 5x5 transposed convolution), resize or subpixel")
	fs.Float64Var(&cfg.Model.Drop, "drop", cfg.Model.Drop, "discriminator dropout after its first and third convolutions (the course: 0.5)")
	fs.Float64Var(&cfg.Model.InputDrop, "input_drop", cfg.Model.InputDrop, "discriminator dropout on its input (the course: 0.2)")
}

// seedFlag registers -seed (train and bench; experiment takes a list, -seeds).
func seedFlag(fs *flag.FlagSet, cfg *ssgan.TrainConfig) {
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed for weights, noise, dropout, shuffling and the label pick")
}

// runFlags registers the training-run flags shared by train and experiment: the budget, the learning
// rate and the number of labels.
func runFlags(fs *flag.FlagSet, cfg *ssgan.TrainConfig) {
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "epochs (per run)")
	fs.Float64Var(&cfg.LearningRate, "lr", cfg.LearningRate, "initial learning rate of both players")
	fs.IntVar(&cfg.LRRampDown, "lr_ramp_down", cfg.LRRampDown, "bring the learning rate linearly to 0 over the last N epochs (the paper's SVHN script: 300 of 900; 0: off)")
	fs.StringVar(&cfg.AdamEpsilon, "adam_epsilon", cfg.AdamEpsilon, "where Adam adds its 1e-8: outside the square root (GoMLX's; empty means it) or inside (openai/improved-gan's)")
	fs.IntVar(&cfg.Data.Labels, "labels", cfg.Data.Labels, "number of training labels the model may use (a balanced pick unless -first_labels)")
}

// parseConfig parses args once. The flags bound to cfg are registered with the defaults of no data set,
// recipe or network in particular; after the parse cfg becomes DefaultConfig of the ones asked for (-dataset,
// -recipe, -model; -data_dir means a folder), and every flag given is applied again on top of it, so
// "-dataset mnist" brings MNIST's defaults and "-dataset mnist -lr 0.01" keeps the 0.01.
func parseConfig(fs *flag.FlagSet, args []string, cfg *ssgan.TrainConfig, stderr io.Writer) error {
	given := map[string]string{}
	var presetErr error
	defaults := func() {
		fs.Visit(func(f *flag.Flag) { given[f.Name] = f.Value.String() })
		dataset, recipe, arch := given["dataset"], given["recipe"], given["model"]
		if given["data_dir"] != "" && dataset == "" {
			dataset = data.DatasetFolder
		}
		preset := given["preset"]
		if preset != "" { // The preset's choices where no flag makes them.
			pd, pr, pa, err := presets.Choices(preset)
			presetErr = err
			dataset, recipe, arch = cmp.Or(dataset, pd), cmp.Or(recipe, pr), cmp.Or(arch, pa)
		}
		*cfg = ssgan.DefaultConfig(dataset, recipe, arch)
		if preset != "" && presetErr == nil {
			*cfg, presetErr = presets.Apply(*cfg, preset)
		}
	}
	// -h shows the defaults of the data set, recipe and network given before it ("-dataset mnist -h").
	helpDefaults := func() {
		defaults()
		fs.VisitAll(func(f *flag.Flag) {
			if v := f.Value.String(); given[f.Name] == "" || v != given[f.Name] { // Not given, or bound to cfg.
				f.DefValue = v
			}
		})
	}
	if err := parseBeforeHelp(fs, args, stderr, helpDefaults); err != nil {
		return err
	}
	defaults()
	if presetErr != nil {
		return usageError{presetErr}
	}
	for name, value := range given {
		if err := fs.Set(name, value); err != nil { // Cannot fail: the same text parsed a moment ago.
			return usageError{fmt.Errorf("-%s %s: %v", name, value, err)}
		}
	}
	if cfg.Data.Dataset != data.DatasetFolder {
		for _, name := range folderOnlyFlags {
			if _, ok := given[name]; ok {
				return usageError{fmt.Errorf("-%s applies to a folder of your own images (-data_dir) only; this run reads %s", name, datasetName(cfg.Data))}
			}
		}
	}
	return nil
}

// folderOnlyFlags are the flags that say how to read a folder of images: refused by name without one,
// where they would be ignored.
var folderOnlyFlags = []string{"image_size", "grey", "hold_out", "skip_bad_images", "max_pixels"}

// datasetName says which images a run reads, for a message.
func datasetName(o data.DatasetOptions) string {
	switch {
	case o.Synthetic:
		return "generated digits (-synthetic)"
	case o.Dataset == data.DatasetMNIST:
		return "MNIST"
	}
	return "SVHN"
}

// folderFlags registers the flags of a folder of your own images (train and experiment).
func folderFlags(fs *flag.FlagSet, cfg *ssgan.TrainConfig) (imageSize *int, grey *bool) {
	fs.StringVar(&cfg.Data.Dir, "data_dir", "", "a folder of your own images: DIR/train/<class>/ (labelled), DIR/unlabelled/ (any depth), optional DIR/test/<class>/ and DIR/valid/<class>/")
	fs.Float64Var(&cfg.Data.HoldOut, "hold_out", cfg.Data.HoldOut, "-data_dir without a test folder: the part of each class's labelled images held apart to test on")
	fs.BoolVar(&cfg.Data.SkipBad, "skip_bad_images", false, "-data_dir: skip (and name) files that are not images instead of refusing the folder")
	fs.Int64Var(&cfg.Data.MaxPixels, "max_pixels", cfg.Data.MaxPixels, fmt.Sprintf("-data_dir: refuse, from its header, an image that declares more pixels than this (width x height; 0: %d)", data.MaxImagePixels))
	return fs.Int("image_size", 32, "-data_dir: images are resized to N x N (a multiple of 4)"), fs.Bool("grey", false, "-data_dir: read the images as grey (1 channel) instead of colour")
}

// applyFolderFlags sets the image shape both the folder loader and the networks use, and makes the
// folder's path absolute (the checkpoint records it, so eval finds the test images from anywhere).
func applyFolderFlags(cfg *ssgan.TrainConfig, imageSize int, grey bool) {
	if cfg.Data.Dataset != data.DatasetFolder {
		return
	}
	if abs, err := filepath.Abs(cfg.Data.Dir); err == nil && cfg.Data.Dir != "" {
		cfg.Data.Dir = abs
	}
	shape := data.Shape{Height: imageSize, Width: imageSize, Channels: 3}
	if grey {
		shape.Channels = 1
	}
	cfg.Data.Image, cfg.Model.Image = shape, shape
}

// recipeFlags registers the flags that choose the data set, the recipe and the network family.
func recipeFlags(fs *flag.FlagSet, cfg *ssgan.TrainConfig) {
	fs.String("preset", "", fmt.Sprintf("named settings to start from (%s; ssgan/presets/), or a run's config.json to re-run it; the flags given go on top", strings.Join(presets.Names(), ", ")))
	fs.StringVar(&cfg.Data.Dataset, "dataset", cfg.Data.Dataset, "svhn or mnist (mnist defaults to -recipe improved -model mlp -labels 100 -batch 100 -lr 0.003; with -recipe course, the conv networks on 28x28 grey digits)")
	fs.StringVar(&cfg.Recipe, "recipe", cfg.Recipe, "course (the lesson's) or improved (Salimans et al. 2016)")
	fs.StringVar(&cfg.Model.Arch, "model", cfg.Model.Arch, "conv (the course's networks), mlp (the paper's MNIST networks) or paper (the paper's SVHN networks, weight-normalised; with -recipe improved)")
	fs.Float64Var(&cfg.UnlabelledWeight, "unlabelled_weight", cfg.UnlabelledWeight, "improved recipe: weight of the unsupervised loss")
	fs.Float64Var(&cfg.EMADecay, "ema_decay", cfg.EMADecay, "improved recipe: per-step decay of the averaged discriminator weights used for testing")
}

func train(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := ssgan.DefaultConfig("", "", "")
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	dataDir := fs.String("data", "data", "directory with the data set's files (downloaded there if missing): SVHN's train_32x32.mat and test_32x32.mat, or MNIST's four .gz files")
	recipeFlags(fs, &cfg)
	outDir := fs.String("out", "", "output directory (required)")
	noDownload := fs.Bool("no_download", false, "never download: fail if the data files are missing")
	force := fs.Bool("force", false, "replace the outputs of an earlier run in -out (without it, train refuses to mix two runs)")
	resume := fs.Bool("resume", false, "continue the run in -out from its last finished epoch, exactly as if it had not stopped; its configuration comes from its checkpoint (-epochs N extends it)")
	modelFlags(fs, &cfg)
	seedFlag(fs, &cfg)
	runFlags(fs, &cfg)
	fs.BoolVar(&cfg.Data.FirstN, "first_labels", false, "use the first N labels in file order (the course) instead of a balanced pick")
	fs.IntVar(&cfg.Data.MaxTrain, "max_train", 0, "use only the first N training images (0: all)")
	fs.IntVar(&cfg.Data.MaxTest, "max_test", 0, "use only the first N test images (0: all)")
	fs.BoolVar(&cfg.SupervisedOnly, "supervised_only", false, "baseline: train the discriminator on the labelled images only (no GAN)")
	fs.Float64Var(&cfg.Model.InitStddev, "init_stddev", cfg.Model.InitStddev, "weights start from N(0, this); 0: GoMLX's He initialisation")
	fs.IntVar(&cfg.BNBatches, "bn_batches", cfg.BNBatches, "batches that recompute the inference BN statistics after each epoch (0: moving averages)")
	fs.BoolVar(&cfg.Data.Synthetic, "synthetic", false, "generated digit images at SVHN's sizes instead of the .mat files")
	imageSize, grey := folderFlags(fs, &cfg)
	if err := parseConfig(fs, args, &cfg, stderr); err != nil {
		return err
	}
	if *resume {
		return resumeRun(ctx, fs, *outDir, *dataDir, !*noDownload, stdout, stderr)
	}
	cfg.Data.Seed = cfg.Seed
	applyFolderFlags(&cfg, *imageSize, *grey)
	switch {
	case *outDir == "":
		return usageError{errors.New("-out is required")}
	case cfg.Epochs < 1:
		return usageError{fmt.Errorf("-epochs %d: must be >= 1", cfg.Epochs)}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	// A run that is refused must not touch -out: a run training there or an earlier run's outputs are
	// refused before any data is loaded (and again by Train, which holds -out, for a run started
	// meanwhile); the data is loaded and checked before Train creates or clears -out.
	if err := run.CheckOutDirFree(*outDir); err != nil && (!*force || !errors.Is(err, run.ErrEarlierRun)) {
		return earlierRun(err)
	}
	ds, err := data.LoadDataset(ctx, *dataDir, cfg.Data, !*noDownload, stderr)
	if err != nil {
		return err
	}
	cfg.Model.Classes = ds.Classes
	m, err := newModel(cfg, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "ssgan:", ssgan.DescribeRun(m, ds))
	opt := ssgan.RunOptions{OutDir: *outDir, Log: stdout, RefuseEarlierRun: !*force}
	if isTerminal(stderr) {
		opt.Progress = stderr
	}
	history, err := ssgan.Train(ctx, m, ds, opt)
	if err := runEnded(0, history, earlierRun(err), *outDir, cfg, stdout); err != nil {
		return err
	}
	last := history[len(history)-1]
	if best, acc := run.BestEpoch(history); best > 0 {
		fmt.Fprintf(stdout, "ssgan: last epoch %d: %s (validation %.4f); best validation accuracy %.4f at epoch %d: %s\n",
			last.Epoch, run.CheckpointFile, last.ValidAcc, acc, best, run.BestCheckpointFile)
	}
	return nil
}

// resumeFlags may be given with -resume: where the run and its data are, and how long it runs.
var resumeFlags = map[string]bool{"resume": true, "out": true, "data": true, "no_download": true, "epochs": true}

// resumeRun continues the run in outDir from its checkpoint (train -resume): the configuration is the
// checkpoint's, -epochs may extend it, and any flag that would change it is refused.
func resumeRun(ctx context.Context, fs *flag.FlagSet, outDir, dataDir string, download bool, stdout, stderr io.Writer) error {
	var changing []string
	epochs := 0
	fs.Visit(func(f *flag.Flag) {
		if !resumeFlags[f.Name] {
			changing = append(changing, "-"+f.Name)
		}
		if f.Name == "epochs" {
			epochs, _ = strconv.Atoi(f.Value.String())
		}
	})
	switch {
	case outDir == "":
		return usageError{errors.New("-resume needs -out, the directory of the run to continue")}
	case len(changing) > 0:
		return usageError{fmt.Errorf("-resume continues the run in %s with the configuration of its checkpoint: %s would change it (with -resume only -epochs, -data and -no_download may be given)", outDir, strings.Join(changing, ", "))}
	}
	path := filepath.Join(outDir, run.CheckpointFile) // Train holds outDir, and checks it against the checkpoint's epoch.
	ck, err := ssgan.OpenCheckpoint(path)
	if err != nil {
		return fmt.Errorf("nothing to resume in %s: %w", outDir, err)
	}
	if err := ck.Resumable(); err != nil {
		return err
	}
	done := ck.Epoch()
	switch {
	case epochs > 0 && epochs <= done:
		return usageError{fmt.Errorf("-epochs %d: the run in %s has already trained %d epochs (give more to extend it)", epochs, outDir, done)}
	case epochs == 0 && done >= ck.Config().Epochs:
		return usageError{fmt.Errorf("the run in %s finished all its %d epochs: give -epochs N (more than %d) to extend it", outDir, done, done)}
	}
	m, err := checkpointModel(ck, stderr)
	if err != nil {
		return err
	}
	if epochs > 0 {
		m.Config.Epochs = epochs
	}
	ds, err := data.LoadDataset(ctx, dataDir, m.Config.Data, download, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ssgan: resuming %s after epoch %d of %d: %s\n", outDir, done, m.Config.Epochs, ssgan.DescribeRun(m, ds))
	opt := ssgan.RunOptions{OutDir: outDir, Log: stdout, StartEpoch: done}
	if isTerminal(stderr) {
		opt.Progress = stderr
	}
	history, err := ssgan.Train(ctx, m, ds, opt)
	return runEnded(done, history, err, outDir, m.Config, stdout)
}

func eval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	ckpt := fs.String("ckpt", "", "checkpoint: a train -out directory (its last epoch), or a file in it such as best.ssgan (required)")
	dataDir := fs.String("data", "data", "directory with the SVHN .mat files, or MNIST's four files for an MNIST checkpoint (not needed for -synthetic checkpoints, nor for a folder's: the checkpoint names its folder)")
	maxTest := fs.Int("max_test", -1, "use only the first N test images (default: as in training)")
	confusion := fs.String("confusion", "", "where to write the confusion matrix PNG (default: eval_confusion.png beside the checkpoint; \"-\": none)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *ckpt == "" {
		return usageError{errors.New("-ckpt is required")}
	}
	ck, err := ssgan.OpenCheckpoint(*ckpt)
	if err != nil {
		return err
	}
	m, err := checkpointModel(ck, stderr)
	if err != nil {
		return err
	}
	opt := m.Config.Data
	if *maxTest >= 0 && opt.Dataset == data.DatasetFolder {
		return usageError{fmt.Errorf("-max_test with a folder's checkpoint: its test set is the folder's test images (all of them)")}
	}
	if *maxTest >= 0 {
		opt.MaxTest = *maxTest
	}
	if opt.Dataset == data.DatasetFolder {
		classes, err := data.FolderClasses(opt.Dir)
		if err != nil {
			return err
		}
		if !slices.Equal(classes, m.Config.Model.ClassNames()) {
			return fmt.Errorf("%s: its classes (%s) are no longer the checkpoint's (%s)", opt.Dir, strings.Join(classes, ", "), strings.Join(m.Config.Model.ClassNames(), ", "))
		}
	}
	test, err := data.LoadTestSet(ctx, *dataDir, opt)
	if err != nil {
		return err
	}
	c, err := untilDone(ctx, func() (report.Confusion, error) { return m.ConfusionMatrix(test, m.Config.BatchSize) })
	if err != nil {
		return err
	}
	images := test.Len()
	acc := c.Accuracy()
	fmt.Fprintf(stdout, "ssgan: checkpoint %s (epoch %d): test accuracy %.4f on %d images\n", *ckpt, ck.Epoch(), acc, images)
	perClass, count := c.PerClass()
	fmt.Fprint(stdout, "per class:")
	for d, name := range c.Names {
		fmt.Fprintf(stdout, "  %s: %.3f (%d)", name, perClass[d], count[d])
	}
	fmt.Fprintln(stdout)
	if *confusion != "-" {
		path := *confusion
		if path == "" {
			path = filepath.Join(ckptDir(*ckpt), "eval_confusion.png")
		}
		img, err := c.PNG(fmt.Sprintf("%s, epoch %d: test set", filepath.Base(*ckpt), ck.Epoch()))
		if err != nil {
			return err
		}
		if err := data.WriteFileAtomic(path, img); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "confusion matrix: %s\n", path)
	}
	return nil
}

// ckptDir is the directory of a -ckpt argument (a directory, or a checkpoint file such as best.ssgan).
func ckptDir(ckpt string) string {
	if st, err := os.Stat(ckpt); err == nil && !st.IsDir() {
		return filepath.Dir(ckpt)
	}
	return ckpt
}

// untilDone runs work and returns its result, or an error as soon as ctx is cancelled (Ctrl-C) while it runs.
func untilDone[T any](ctx context.Context, work func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, fmt.Errorf("interrupted")
	}
	done := make(chan result, 1)
	go func() {
		v, err := work()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("interrupted")
	}
}

// newModel picks the backend (saying so on stderr when it falls back to pure Go) and builds the model.
func newModel(cfg ssgan.TrainConfig, stderr io.Writer) (*ssgan.Model, error) {
	backend, err := engine.NewBackend(stderr)
	if err != nil {
		return nil, err
	}
	return ssgan.NewModel(backend, cfg, ssgan.ReferencePieces())
}

// checkpointModel picks the backend as newModel does and rebuilds the checkpoint's model on it.
func checkpointModel(ck *ssgan.Checkpoint, stderr io.Writer) (*ssgan.Model, error) {
	backend, err := engine.NewBackend(stderr)
	if err != nil {
		return nil, err
	}
	return ck.Model(backend)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// runEnded is how a training command ends: an interrupt says which epoch the checkpoint holds (start
// epochs were trained before this command, when it resumed), another error is returned as it is, and a
// finished run prints its final test accuracy (how is what it measured).
func runEnded(start int, history []run.EpochMetrics, err error, outDir string, cfg ssgan.TrainConfig, stdout io.Writer) error {
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return interrupted(start+len(history), outDir)
		}
		return err
	}
	how := ""
	if cfg.AveragedTestWeights() {
		how = " (averaged weights)"
	}
	fmt.Fprintf(stdout, "ssgan: final test accuracy %.4f%s; outputs in %s\n", history[len(history)-1].TestAcc, how, outDir)
	return nil
}

// earlierRun adds to a refusal of an -out that holds a run what to do about it.
func earlierRun(err error) error {
	if errors.Is(err, run.ErrEarlierRun) {
		return fmt.Errorf("%w: choose another -out, or add -force to replace it", err)
	}
	return err
}

// interrupted is the error for a run stopped by Ctrl-C after finished epochs.
func interrupted(finished int, outDir string) error {
	if finished == 0 {
		return fmt.Errorf("interrupted during epoch 1: no epoch finished, so no checkpoint was written")
	}
	return fmt.Errorf("interrupted after %d epochs; the checkpoint in %s holds epoch %d (continue with: ssgan train -resume -out %s)", finished, outDir, finished, outDir)
}
