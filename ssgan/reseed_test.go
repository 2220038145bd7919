package ssgan

import (
	"testing"
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
