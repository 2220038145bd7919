package ssgan

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// TestLabelledSeenCountsWhatTheLossSaw trains one epoch of each recipe on 96 generated images with 12
// labels and checks the count Train prints: every labelled image, and no other (a port that trains on
// every label would print 96).
func TestLabelledSeenCountsWhatTheLossSaw(t *testing.T) {
	for _, recipe := range []string{RecipeCourse, RecipeImproved} {
		cfg := tinyConfig()
		cfg.Recipe, cfg.Epochs, cfg.BNBatches = recipe, 1, 1
		cfg.Data.Labels, cfg.Data.ValidFraction, cfg.Data.MaxTest = 12, 0, 32
		if recipe == RecipeImproved {
			cfg.LRDecay = 1
		}
		ds, err := data.NewDataset(data.SyntheticDigits(96, 1), data.SyntheticDigits(32, 2), cfg.Data)
		if err != nil {
			t.Fatal(err)
		}
		m := newTiny(t, cfg)
		var log bytes.Buffer
		if _, err := Train(context.Background(), m, ds, RunOptions{Log: &log}); err != nil {
			t.Fatal(err)
		}
		if got := m.LabelledSeen(); got != 12 {
			t.Errorf("%s recipe: the loss saw %d labelled images, want the 12 the mask marks", recipe, got)
		}
		want := fmt.Sprintf("labelled images the loss saw in these epochs: %d different ones (the label mask marks 12)", m.LabelledSeen())
		if !strings.Contains(log.String(), want) {
			t.Errorf("%s recipe: the run's log lacks %q:\n%s", recipe, want, log.String())
		}
	}
}

// TestLearningRateAt: the course's shrink_lr (x0.9 after each epoch, rounded to float32 as its variable
// held it), the improved recipe's constant rate, and Train giving each epoch its rate.
func TestLearningRateAt(t *testing.T) {
	cfg := DefaultTrainConfig()
	want := float32(3e-4)
	for e := 1; e <= 5; e++ {
		if got := cfg.LearningRateAt(e); got != float64(want) {
			t.Errorf("course, epoch %d: %g, want %g", e, got, want)
		}
		want = float32(float64(want) * 0.9)
	}
	cfg.LRDecay = 1
	if got := cfg.LearningRateAt(300); got != float64(float32(3e-4)) {
		t.Errorf("constant rate at epoch 300: %g", got)
	}
	// The SVHN script's ramp: lr·min(3 - e/300, 1) for e = 0..899, so the last epoch trains at 1/300.
	cfg = DefaultConfig("", "", ArchPaper)
	for e, want := range map[int]float64{1: 1, 600: 1, 601: 300.0 / 300, 602: 299.0 / 300, 900: 1.0 / 300} {
		if got := cfg.LearningRateAt(e); math.Abs(got-3e-4*want) > 1e-9 {
			t.Errorf("paper, epoch %d: %g, want %g", e, got, 3e-4*want)
		}
	}
	cfg = tinyConfig()
	cfg.Epochs, cfg.Data.Labels, cfg.Data.ValidFraction, cfg.Data.MaxTest = 3, 12, 0, 32
	ds, err := data.NewDataset(data.SyntheticDigits(48, 1), data.SyntheticDigits(32, 2), cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	history, err := Train(context.Background(), newTiny(t, cfg), ds, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, em := range history {
		if want := cfg.LearningRateAt(em.Epoch); float32(em.LearningRate) != float32(want) {
			t.Errorf("epoch %d trained at %g, want %g", em.Epoch, em.LearningRate, want)
		}
	}
}
