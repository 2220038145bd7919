package ssgan

import (
	"context"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// The improved recipe on the course's networks learns the generated digits well beyond chance in a few
// epochs, and its checkpoint (the averaged weights the test used) predicts exactly what it reported.
func TestConvImprovedRecipeLearnsAndItsCheckpointAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	b := backend(t)
	cfg := DefaultTrainConfig()
	cfg.Recipe, cfg.EMADecay = RecipeImproved, 0.9
	cfg.Model.DSize, cfg.Model.GSize, cfg.Model.Drop, cfg.Model.InputDrop = 8, 4, 0, 0
	cfg.BatchSize, cfg.Epochs, cfg.LearningRate, cfg.BNBatches = 32, 3, 1e-3, 4
	cfg.Data.Labels, cfg.Data.Synthetic = 100, true
	ds, err := data.NewDataset(data.SyntheticDigits(640, 1), data.SyntheticDigits(400, 2), cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewConvImprovedModel(b, cfg, ReferencePieces())
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	history, err := TrainConvImproved(context.Background(), m, ds, RunOptions{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	last := history[len(history)-1]
	t.Logf("test accuracy after %d epochs: %.3f (generator loss %.4f)", len(history), last.TestAcc, last.GLoss)
	if last.TestAcc < 0.25 {
		t.Errorf("test accuracy %.3f after %d epochs: want well above chance (0.10)", last.TestAcc, len(history))
	}
	if last.GLoss <= 0 {
		t.Errorf("generator loss %g: the generator did not train", last.GLoss)
	}
	p, err := LoadPredictor(b, out)
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for start := 0; start < ds.Test.Len(); start += 100 {
		end := min(start+100, ds.Test.Len())
		probs, err := p.Probabilities(ds.Test.Pixels[start*data.ImageValues:end*data.ImageValues], end-start)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range probs {
			best := 0
			for k := range row {
				if row[k] > row[best] {
					best = k
				}
			}
			if int32(best) == ds.Test.Labels[start+i] {
				right++
			}
		}
	}
	if acc := float64(right) / float64(ds.Test.Len()); acc != last.TestAcc {
		t.Errorf("the checkpoint predicts %.4f of the test set, the run reported %.4f", acc, last.TestAcc)
	}
}
