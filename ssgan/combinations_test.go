package ssgan

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// greyDigits returns n generated digits as 28x28 grey images (the centre of SyntheticDigits, channels
// averaged): MNIST's shape, learnable like the colour ones.
func greyDigits(n int, seed uint64) *data.Images {
	src := data.SyntheticDigits(n, seed)
	im := data.NewImages(data.MNISTShape, n)
	copy(im.Labels, src.Labels)
	for i := range n {
		s, d := src.Image(i), im.Image(i)
		for y := range 28 {
			for x := range 28 {
				o := ((y+2)*32 + x + 2) * 3
				d[y*28+x] = uint8((int(s[o]) + int(s[o+1]) + int(s[o+2])) / 3)
			}
		}
	}
	return im
}

// Every data set × recipe × network family either trains and writes the same set of outputs, whose
// checkpoints score what the run reported, or is refused with a message naming the flags.
func TestEveryCombinationTrainsOrIsRefused(t *testing.T) {
	for _, dataset := range []string{data.DatasetSVHN, data.DatasetMNIST} {
		for _, recipe := range []string{RecipeCourse, RecipeImproved} {
			for _, arch := range []string{ArchConv, ArchMLP} {
				t.Run(dataset+"/"+recipe+"/"+arch, func(t *testing.T) {
					cfg := DefaultConfig(dataset, recipe, arch)
					cfg.Model.DSize, cfg.Model.GSize, cfg.Model.ZDim = 4, 2, 8
					cfg.BatchSize, cfg.Epochs, cfg.BNBatches, cfg.EMADecay = 16, 2, 2, 0.9
					cfg.Data.Labels, cfg.Data.Synthetic = 30, dataset == data.DatasetSVHN
					err := cfg.Validate()
					if recipe == RecipeCourse && arch == ArchMLP {
						if err == nil || !strings.Contains(err.Error(), "model mlp") || !strings.Contains(err.Error(), "-recipe improved") {
							t.Fatalf("want a refusal naming -model mlp and -recipe improved, got %v", err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					train, test := data.SyntheticDigits(96, 1), data.SyntheticDigits(40, 2)
					if dataset == data.DatasetMNIST {
						train, test = greyDigits(96, 1), greyDigits(40, 2)
					}
					checkRunOutputs(t, cfg, train, test)
				})
			}
		}
	}
}

// Any number of classes: three named classes flow through both recipes and both network families (the
// extra "fake" logit too) into checkpoints that keep the names and score what the run reported.
func TestThreeClassesTrainAndReload(t *testing.T) {
	names := []string{"ant", "bee", "cat"}
	threeClasses := func(im *data.Images) *data.Images {
		for i, l := range im.Labels {
			im.Labels[i] = l % 3
		}
		return im
	}
	for _, tc := range []struct {
		recipe, arch string
		extra        bool
	}{{RecipeCourse, ArchConv, true}, {RecipeImproved, ArchConv, false}, {RecipeImproved, ArchMLP, false}} {
		t.Run(tc.recipe+"/"+tc.arch, func(t *testing.T) {
			cfg := DefaultConfig(data.DatasetMNIST, tc.recipe, tc.arch)
			cfg.Model.DSize, cfg.Model.GSize, cfg.Model.ZDim, cfg.Model.ExtraClass, cfg.Model.Classes = 4, 2, 8, tc.extra, names
			cfg.BatchSize, cfg.Epochs, cfg.BNBatches, cfg.EMADecay, cfg.Data.Labels = 16, 2, 2, 0.9, 15
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			checkRunOutputs(t, cfg, threeClasses(greyDigits(96, 1)), threeClasses(greyDigits(40, 2)))
		})
	}
}

// checkRunOutputs trains cfg on train/test and checks the outputs every run writes, and that both
// checkpoints, rebuilt by LoadCheckpoint, predict what the run reported.
func checkRunOutputs(t *testing.T, cfg TrainConfig, train, test *data.Images) {
	t.Helper()
	ds, err := data.NewDataset(train, test, cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	ds.Classes = cfg.Model.Classes
	m, err := NewModel(backend(t), cfg, ReferencePieces())
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	history, err := Train(context.Background(), m, ds, RunOptions{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{run.MetricsFile, run.CurvesFile, run.CheckpointFile, run.BestCheckpointFile, run.ConfusionFile, "samples_001.png", "samples_002.png"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty (%v)", name, err)
		}
	}
	// config.json holds the run's whole configuration: it reads back into the same TrainConfig.
	var written TrainConfig
	if raw, err := os.ReadFile(filepath.Join(out, run.ConfigFile)); err != nil || json.Unmarshal(raw, &written) != nil || !reflect.DeepEqual(written, m.Config) {
		t.Errorf("config.json (%v) does not read back as the run's configuration:\n%+v\nwant %+v", err, written, m.Config)
	}
	raw, err := os.ReadFile(filepath.Join(out, run.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != cfg.Epochs {
		t.Fatalf("metrics.jsonl has %d lines for %d epochs", len(lines), cfg.Epochs)
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &fields); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"epoch", "train_acc", "test_acc", "valid_acc", "d_loss", "g_loss", "step_seconds", "sample_neighbour_diff", "sample_spread"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("metrics line without %s: %s", f, lines[0])
		}
	}
	last := history[len(history)-1]
	best, _ := run.BestEpoch(history)
	for _, ck := range []struct {
		file string
		acc  float64
	}{{run.CheckpointFile, last.TestAcc}, {run.BestCheckpointFile, history[max(best, 1)-1].TestAcc}} {
		loaded, c, err := LoadCheckpoint(backend(t), filepath.Join(out, ck.file))
		if err != nil {
			t.Fatal(err)
		}
		if names := c.Config().Model.ClassNames(); !slices.Equal(names, cfg.Model.ClassNames()) {
			t.Errorf("%s keeps the classes %v, want %v", ck.file, names, cfg.Model.ClassNames())
		}
		got, err := loaded.Accuracy(ds.Test, cfg.BatchSize)
		if err != nil {
			t.Fatal(err)
		}
		if got != ck.acc {
			t.Errorf("%s (epoch %d) scores %.4f on the test set; the run reported %.4f", ck.file, c.Epoch(), got, ck.acc)
		}
		probs, err := loaded.Probabilities(ds.Test.Pixels, ds.Test.Len())
		if err != nil {
			t.Fatal(err)
		}
		right := 0
		for i, row := range probs {
			if len(row) != cfg.Model.NumClasses() {
				t.Fatalf("%s: %d probabilities per image, want one per class (%d)", ck.file, len(row), cfg.Model.NumClasses())
			}
			top := 0
			for k := range row {
				if row[k] > row[top] {
					top = k
				}
			}
			if int32(top) == ds.Test.Labels[i] {
				right++
			}
		}
		if acc := float64(right) / float64(len(probs)); acc != ck.acc {
			t.Errorf("%s: the most probable digits score %.4f; the run reported %.4f", ck.file, acc, ck.acc)
		}
	}
}

// A model and a data set that disagree on the classes are refused before training, in one line.
func TestTrainRefusesOtherClasses(t *testing.T) {
	digits := data.SyntheticDigits(32, 1)
	for _, tc := range []struct {
		model, data []string
		want        string
	}{
		{[]string{"ant", "bee", "cat"}, nil, "the data's classes are the 10 digits but the model has 3 classes (ant, bee, cat)"},
		{[]string{"ant", "bee"}, []string{"ant", "cat"}, "the data's classes (ant, cat) are not the model's (ant, bee)"},
		{nil, []string{"ant", "cat"}, "the data's classes (ant, cat) are not the model's (0, 1, 2"},
	} {
		cfg := DefaultTrainConfig()
		cfg.Model.DSize, cfg.Model.GSize, cfg.Model.Classes, cfg.Data.Labels = 4, 2, tc.model, 8
		ds, err := data.NewDataset(digits, digits, cfg.Data)
		if err != nil {
			t.Fatal(err)
		}
		ds.Classes = tc.data
		_, err = Train(context.Background(), newTiny(t, cfg), ds, RunOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("model %v, data %v: %v, want %q", tc.model, tc.data, err, tc.want)
		}
	}
}
