package ssgan

import (
	"context"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// A model trained with one seed and then reseeded trains exactly as a new model with the new seed: the
// same losses step by step and the same weights after them.
func TestReseedTrainsAsANewModel(t *testing.T) {
	for _, supervisedOnly := range []bool{false, true} {
		cfg := tinyConfig()
		cfg.SupervisedOnly = supervisedOnly
		cfg.Seed = 1
		_, batches := trainBatches(cfg)
		reused, _, _ := trainedTiny(t, cfg) // Trained one epoch with seed 1, its learning rate decayed once.
		if err := reused.DecayLearningRate(); err != nil {
			t.Fatal(err)
		}
		if err := reused.Reseed(2); err != nil {
			t.Fatal(err)
		}
		cfg.Seed = 2
		fresh := newTiny(t, cfg)
		for i, b := range batches {
			got, err := reused.Step(b)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fresh.Step(b)
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

// The same for the improved recipe's conv model: a run after Reseed(2) reports exactly what a new model's
// run with seed 2 reports, epoch by epoch.
func TestConvImprovedReseedTrainsAsANewModel(t *testing.T) {
	b := backend(t)
	cfg := DefaultTrainConfig()
	cfg.Recipe, cfg.EMADecay = RecipeImproved, 0.9
	cfg.Model.DSize, cfg.Model.GSize, cfg.Model.ZDim = 4, 2, 8
	cfg.BatchSize, cfg.Epochs, cfg.BNBatches = 16, 2, 2
	cfg.Data.Labels, cfg.Data.Synthetic = 20, true
	ds, err := data.NewDataset(data.SyntheticDigits(64, 1), data.SyntheticDigits(32, 2), cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	run := func(m *ConvImprovedModel) []EpochMetrics {
		t.Helper()
		history, err := TrainConvImproved(context.Background(), m, ds, RunOptions{OutDir: t.TempDir(), SampleEvery: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		return history
	}
	checkReseedRun(t, cfg, func(c TrainConfig) (*ConvImprovedModel, error) {
		return NewConvImprovedModel(b, c, ReferencePieces())
	}, run)
}

// The same for the MNIST MLPs, whose data-dependent initialisation TrainMLP redoes after Reseed.
func TestMLPReseedTrainsAsANewModel(t *testing.T) {
	cfg := MNISTTrainConfig()
	cfg.BatchSize, cfg.Epochs = 20, 2
	gray := func(n int, seed uint64) *data.Gray {
		g := &data.Gray{Pixels: make([]uint8, n*data.MNISTValues), Labels: make([]int32, n)}
		for i, v := range mnistLike(n, seed) {
			g.Pixels[i] = uint8(v * 255)
		}
		for i := range g.Labels {
			g.Labels[i] = int32(i % 10)
		}
		return g
	}
	train, test := gray(80, 1), gray(40, 2)
	mask := make([]bool, train.Len())
	for i := range 20 {
		mask[i] = true
	}
	run := func(m *MLPModel) []EpochMetrics {
		t.Helper()
		history, err := TrainMLP(context.Background(), m, train, test, mask, RunOptions{OutDir: t.TempDir(), SampleEvery: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		return history
	}
	checkReseedRun(t, cfg, func(c TrainConfig) (*MLPModel, error) {
		return NewMLPModel(backend(t), c, ReferencePieces())
	}, run)
}

// checkReseedRun fails unless a model built by newModel from cfg with seed 1, trained by run, reseeded to 2
// and trained again reports exactly what a new model with seed 2 reports, epoch by epoch.
func checkReseedRun[M interface{ Reseed(uint64) error }](t *testing.T, cfg TrainConfig,
	newModel func(TrainConfig) (M, error), run func(M) []EpochMetrics) {
	t.Helper()
	withSeed := func(seed uint64) M {
		t.Helper()
		cfg.Seed = seed
		m, err := newModel(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return m
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
