package ssgan

import (
	"context"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// A model trained with one seed and then reseeded trains exactly as a new model with the new seed: the
// same losses step by step and the same weights after them.
func TestReseedTrainsAsANewModel(t *testing.T) {
	for _, supervisedOnly := range []bool{false, true} {
		cfg := tinyConfig()
		cfg.SupervisedOnly = supervisedOnly
		cfg.Seed = 1
		_, batches := trainBatches(cfg)
		reused, _, _ := trainedTiny(t, cfg) // Trained one epoch with seed 1, then its learning rate decayed once.
		if err := reused.setLearningRate(cfg.LearningRateAt(2)); err != nil {
			t.Fatal(err)
		}
		if err := reused.Reseed(2); err != nil {
			t.Fatal(err)
		}
		cfg.Seed = 2
		fresh := newTiny(t, cfg)
		for i, b := range batches {
			got, err := reused.courseStep(b)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fresh.courseStep(b)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("supervised only %v, step %d after Reseed(2): %+v; a new model with seed 2: %+v", supervisedOnly, i, got, want)
			}
		}
		if reused.LearningRate() != fresh.LearningRate() {
			t.Errorf("learning rate %g after Reseed, %g new", reused.LearningRate(), fresh.LearningRate())
		}
		want := snapshot(fresh.Store)
		for path, got := range snapshot(reused.Store) {
			for j := range got {
				if got[j] != want[path][j] {
					t.Fatalf("supervised only %v: %s[%d] = %g after Reseed, %g in a new model", supervisedOnly, path, j, got[j], want[path][j])
				}
			}
		}
	}
}

// The same for the improved recipe on either network family: a run after Reseed(2) reports exactly what
// a new model's run with seed 2 reports, epoch by epoch (the MLPs redo their data-dependent start).
func TestImprovedReseedTrainsAsANewModel(t *testing.T) {
	conv := DefaultConfig("", RecipeImproved, "")
	conv.EMADecay = 0.9
	conv.Model.DSize, conv.Model.GSize, conv.Model.ZDim = 4, 2, 8
	conv.BatchSize, conv.Epochs, conv.BNBatches = 16, 2, 2
	conv.Data.Labels, conv.Data.Synthetic = 20, true
	mlp := MNISTTrainConfig()
	mlp.BatchSize, mlp.Epochs, mlp.Data.Labels = 20, 2, 20
	for _, tc := range []struct {
		name        string
		cfg         TrainConfig
		train, test *data.Images
	}{
		{"conv", conv, data.SyntheticDigits(64, 1), data.SyntheticDigits(32, 2)},
		{"mlp", mlp, mnistLike(80, 1), mnistLike(40, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := data.NewDataset(tc.train, tc.test, tc.cfg.Data)
			if err != nil {
				t.Fatal(err)
			}
			checkReseedRun(t, tc.cfg, ds)
		})
	}
}

// checkReseedRun fails unless a model built from cfg with seed 1, trained on ds, reseeded to 2 and trained
// again reports exactly what a new model with seed 2 reports, epoch by epoch.
func checkReseedRun(t *testing.T, cfg TrainConfig, ds *data.Dataset) {
	t.Helper()
	withSeed := func(seed uint64) *Model {
		t.Helper()
		cfg.Seed = seed
		m, err := NewModel(backend(t), cfg, ReferencePieces())
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	run := func(m *Model) []run.EpochMetrics {
		t.Helper()
		history, err := Train(context.Background(), m, ds, RunOptions{OutDir: t.TempDir(), SampleEvery: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		return history
	}
	reused := withSeed(1)
	run(reused)
	if err := reused.Reseed(2); err != nil {
		t.Fatal(err)
	}
	got, want := run(reused), run(withSeed(2))
	if len(got) != len(want) {
		t.Fatalf("%d epochs after Reseed(2), %d for a new model", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.TestAcc != w.TestAcc || g.DLoss != w.DLoss || g.GLoss != w.GLoss || g.TrainAcc != w.TrainAcc {
			t.Fatalf("epoch %d after Reseed(2): %+v; a new model with seed 2: %+v", i+1, g, w)
		}
	}
}
