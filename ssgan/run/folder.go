package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// CheckpointFile is the checkpoint's name inside a checkpoint (output) directory: the last epoch's.
const CheckpointFile = "checkpoint.ssgan"

// BestCheckpointFile is the checkpoint of the epoch with the best validation accuracy (model selection
// on the validation split the course kept but never used). Pass its path to eval or predict as -ckpt.
const BestCheckpointFile = "best.ssgan"

// ConfusionFile is the confusion matrix's name in a training run's directory.
const ConfusionFile = "confusion.png"

// The names of a run's outputs in its folder.
const (
	MetricsFile = "metrics.jsonl"
	CurvesFile  = "learning_curves.png"
	ConfigFile  = "config.json" // The run's whole TrainConfig, indented (a resumed run's, with its epochs).
)

// SamplesFile is the name of an epoch's sample grid.
func SamplesFile(epoch int) string { return fmt.Sprintf("samples_%03d.png", epoch) }

// ErrEarlierRun is the error of a run refused because its output directory holds another run's outputs.
var ErrEarlierRun = errors.New("already holds a run")

// CheckOutDirFree says why dir cannot take a new run: a run training there now (the error of LockOutDir),
// or an earlier run's outputs (ErrEarlierRun). Train checks the second under its lock
// (RunOptions.RefuseEarlierRun); the CLI checks both before it loads any data, so that a refused run
// takes no time.
func CheckOutDirFree(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, LockFile)); err == nil {
		release, err := LockOutDir(dir)
		if err != nil {
			return err
		}
		release()
	}
	return CheckNoEarlierRun(dir)
}

// CheckNoEarlierRun returns an ErrEarlierRun naming dir and one of its files if dir holds a run's outputs.
func CheckNoEarlierRun(dir string) error {
	if earlier := Outputs(dir); len(earlier) > 0 {
		return fmt.Errorf("%s %w (%s)", dir, ErrEarlierRun, filepath.Base(earlier[0]))
	}
	return nil
}

// WriteConfig writes cfg (a run's whole configuration) as dir's config.json, indented.
func WriteConfig(dir string, cfg any) error {
	raw, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", ConfigFile, err)
	}
	return data.WriteFileAtomic(filepath.Join(dir, ConfigFile), append(raw, '\n'))
}

// PrepareOutDir makes dir ready for a training run's outputs, before any training: it creates it, removes
// the temporary files an interrupted write left behind, checks that it can write there, and, when fresh
// is set, removes the outputs of an earlier run (metrics, sample grids, curves, checkpoints) so two runs
// never mix in one metrics.jsonl. Hold the directory first (LockOutDir; Train does).
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
		for _, f := range Outputs(dir) {
			if err := os.Remove(f); err != nil {
				return fmt.Errorf("output directory %s: remove the earlier run's %s: %w", dir, filepath.Base(f), err)
			}
		}
	}
	return nil
}

// Outputs lists the files of a training run present in dir.
func Outputs(dir string) []string {
	var out []string
	for _, name := range []string{MetricsFile, ConfigFile, CurvesFile, CheckpointFile, BestCheckpointFile, ConfusionFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			out = append(out, filepath.Join(dir, name))
		}
	}
	samples, _ := filepath.Glob(filepath.Join(dir, "samples_[0-9][0-9][0-9].png"))
	return append(out, samples...)
}
