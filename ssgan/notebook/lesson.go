package notebook

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gomlx/compute"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
	"github.com/ssgan-go/ssgan-go/ssgan/presets"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// What the lesson's notebooks do besides the model: pick a backend and a run size, get and load the data,
// train with a panel, and handle errors in one line. It lives here so that the notebooks show the model.

// Must returns v when err is nil; otherwise it ends the cell with err's message in one line. The
// notebooks handle every error this way: a learner reads one sentence, not a Go stack trace.
func Must[T any](v T, err error) T {
	Check(err)
	return v
}

// Check ends the cell with err's message in one line when err is not nil.
func Check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

var (
	backendOnce sync.Once
	theBackend  compute.Backend
)

// Backend is the notebooks' GoMLX backend: XLA (on the GPU if there is one) when a plugin is installed,
// else GoMLX's pure-Go one; GOMLX_BACKEND in the kernel's environment overrides the choice.
func Backend() compute.Backend {
	backendOnce.Do(func() { theBackend = Must(engine.NewBackend(nil)) })
	return theBackend
}

// The run sizes a notebook offers, chosen by SettingEnv.
const (
	Course     = "course" // The course's run: all of SVHN, the course's networks and 25 epochs (a GPU's job).
	Quick      = "quick"  // What a CPU trains in minutes: small networks on 8,000 images.
	SettingEnv = "SSGAN_SETTING"
	// smoke is the project's tests' size (SettingEnv=smoke): tiny networks and two epochs, only to prove
	// that every cell runs. The notebooks see it as Quick; only the sizes below differ.
	smoke = "smoke"
)

// Setting is the run size: SettingEnv's value when it names one, else Course where GoMLX runs on a GPU
// and Quick otherwise.
func Setting() string {
	switch s := os.Getenv(SettingEnv); s {
	case Course, Quick:
		return s
	case smoke:
		return Quick
	}
	if engine.IsAccelerator(Backend()) {
		return Course
	}
	return Quick
}

// Smoke says whether the project's tests run the notebook (SettingEnv=smoke).
func Smoke() bool { return os.Getenv(SettingEnv) == smoke }

// QuickCourse puts the quick setting of the course's procedure on top of cfg: the preset
// ssgan/presets/quick.json (the tests' smoke run: smoke.json).
func QuickCourse(cfg ssgan.TrainConfig) ssgan.TrainConfig {
	if Smoke() {
		return presets.MustApply(cfg, "smoke")
	}
	return presets.MustApply(cfg, "quick")
}

// QuickImproved puts the quick setting of the paper's procedure on top of cfg (the quick course settings
// with the improved recipe): the preset ssgan/presets/quick-improved.json, the budget a measured search
// chose (ssgan/bench/results/accuracy/lift_search.md).
func QuickImproved(cfg ssgan.TrainConfig) ssgan.TrainConfig {
	if Smoke() {
		return presets.MustApply(cfg, "smoke")
	}
	return presets.MustApply(cfg, "quick-improved")
}

// SVHN is the lesson's data in Dir: both SVHN files for the course setting; for the quick one the test
// file alone, whose first 8,000 images it trains on and next 2,000 it tests on; generated digits when the
// quick setting has no file and cannot download one.
type SVHN struct {
	Dir   string
	Quick bool
}

func (s SVHN) files() []data.RemoteFile {
	if s.Quick {
		return data.SVHNFiles[1:]
	}
	return data.SVHNFiles
}

// Have says whether the files the setting needs are in Dir.
func (s SVHN) Have() bool {
	for _, f := range s.files() {
		if _, err := os.Stat(filepath.Join(s.Dir, f.Name)); err != nil {
			return false
		}
	}
	return true
}

// Synthetic says whether the run trains on generated digits: the quick setting without the SVHN file.
func (s SVHN) Synthetic() bool { return s.Quick && !s.Have() }

// Fetch downloads the files the setting needs, with a progress bar and a size and MD5 check, unless they
// are there. In the quick setting it first asks the site, with a 10-second limit, whether it answers, and
// says so when it does not (the run then trains on generated digits).
func (s SVHN) Fetch() {
	switch {
	case s.Have():
	case s.Quick && data.SVHNReachable(context.Background(), 10*time.Second) != nil:
		fmt.Println("The SVHN site does not answer (offline?), so this quick run trains on generated digits:",
			"clean digits on noisy backgrounds, at SVHN's size. Re-run this cell online to get the real images.")
		return
	default:
		d := &data.Downloader{BaseURL: data.SVHNBaseURL, Progress: os.Stdout}
		for _, f := range s.files() {
			fmt.Printf("downloading %s (%.0f MB) into %s\n", f.Name, float64(f.Size)/1e6, s.Dir)
			Check(d.Ensure(context.Background(), s.Dir, f))
		}
	}
	fmt.Println("SVHN files ready in", s.Dir)
}

// Options are the lesson's data options: 1,000 labels; in the quick setting the 8,000 / 2,000 split of the
// test file, or as many generated digits offline, with unlabelled training images standing in for a
// validation set.
func (s SVHN) Options() data.DatasetOptions {
	opt := data.DefaultDatasetOptions()
	opt.Synthetic = s.Synthetic()
	if s.Quick {
		opt.ValidFraction = 0
	}
	if s.Quick && !opt.Synthetic {
		opt.File, opt.Pool, opt.MaxTest = filepath.Join(s.Dir, data.TestFile), 8000, 2000
	}
	return opt
}

// Load returns the training images and the images held apart (from which the test set is taken).
func (s SVHN) Load() (train, test *data.Images) {
	switch {
	case s.Synthetic() && Smoke():
		return data.SyntheticDigits(2000, 1), data.SyntheticDigits(500, 2)
	case s.Synthetic():
		return data.SyntheticDigits(8000, 1), data.SyntheticDigits(2000, 2)
	}
	train, test, err := data.LoadData(context.Background(), s.Dir, s.Options(), false, nil)
	Check(err)
	return train, test
}

// Dataset loads the images and cuts them as opt says (labels, validation, test).
func (s SVHN) Dataset(opt data.DatasetOptions) *data.Dataset {
	train, test := s.Load()
	return Must(data.NewDataset(train, test, opt))
}

// Train trains m on ds as opt says, drawing the run in panel, with the epoch lines printed below it.
// Kernel → Interrupt stops the run at the next step and keeps its finished epochs; any other error ends
// the cell in one line.
func Train(m *ssgan.Model, ds *data.Dataset, opt ssgan.RunOptions, panel *Panel) {
	opt.Watch, opt.Log = panel, os.Stdout
	fmt.Println("training:", ssgan.DescribeRun(m, ds))
	ctx, stop := Interruptible()
	defer stop()
	if _, err := ssgan.Train(ctx, m, ds, opt); err != nil && !Interrupted(err) {
		Check(err)
	}
}

// History returns the per-epoch metrics of the run in dir.
func History(dir string) []run.EpochMetrics {
	return Must(run.ReadMetrics(filepath.Join(dir, run.MetricsFile)))
}

// FinalTest returns the last epoch's test accuracy of the run in dir.
func FinalTest(dir string) float64 {
	h := History(dir)
	if len(h) == 0 {
		Check(fmt.Errorf("%s: no finished epoch", dir))
	}
	return h[len(h)-1].TestAcc
}

// Compare says in one sentence how a GAN run ended against its labels-only run.
func Compare(what string, gan, alone float64) string {
	verdict := "the GAN run ended above the labels-only run"
	if gan < alone {
		verdict = "the labels-only run ended above the GAN run"
	}
	return fmt.Sprintf("%s: labels + GAN %.1f%%, labels alone %.1f%% (%+.1f points): %s", what, 100*gan, 100*alone, 100*(gan-alone), verdict)
}
