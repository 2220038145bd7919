package ssgan

import (
	"context"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// trainSamples trains a small SSGAN for a few epochs on generated digits with the given upsampling and
// returns the final samples' neighbour difference and spread (see ssgan/report/samplestats.go).
func trainSamples(t *testing.T, kind string) (diff, spread float64) {
	t.Helper()
	cfg := DefaultTrainConfig()
	cfg.Model.DSize, cfg.Model.GSize, cfg.Model.Upsample = 16, 8, kind
	cfg.Model.Drop, cfg.Model.InputDrop = 0, 0
	cfg.BatchSize, cfg.Epochs = 64, 3
	cfg.Data.Labels, cfg.Data.MaxTest = 500, 128
	cfg.BNBatches = 2
	ds, err := data.NewDataset(data.SyntheticDigits(1280, 1), data.SyntheticDigits(128, 2), cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	history, err := Train(context.Background(), newTiny(t, cfg), ds, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	last := history[len(history)-1]
	t.Logf("%s: %d steps, neighbour diff %.3f, spread %.3f, test acc %.3f", kind,
		len(history)*last.Steps, last.SampleNeighbourDiff, last.SampleSpread, last.TestAcc)
	return last.SampleNeighbourDiff, last.SampleSpread
}

// TestGeneratorMakesNoTexture guards against the texture collapse of the sub-pixel generator: after the
// same short training on generated digits, the default generator's samples must be no rougher than the
// course's transposed-convolution generator's, and must differ between z.
func TestGeneratorMakesNoTexture(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two small GANs (~40 s): make test-full runs it")
	}
	if DefaultUpsample == UpsampleTransposed {
		t.Skip("the default is the course's own generator: nothing to compare it with")
	}
	diff, spread := trainSamples(t, DefaultUpsample)
	courseDiff, _ := trainSamples(t, UpsampleTransposed)
	if diff > courseDiff {
		t.Errorf("default generator (%s): neighbour difference %.3f, rougher than the course's transposed "+
			"convolution's %.3f at the same budget", DefaultUpsample, diff, courseDiff)
	}
	if spread < 0.01 {
		t.Errorf("default generator (%s): samples barely depend on z (spread %.4f)", DefaultUpsample, spread)
	}
}
