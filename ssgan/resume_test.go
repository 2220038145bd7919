package ssgan

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// A run stopped after epoch 1 and resumed from its checkpoint reports exactly what an uninterrupted
// run reports for the later epochs, for each recipe and network family, and its metrics.jsonl holds
// every epoch once.
func TestResumeMatchesAnUninterruptedRun(t *testing.T) {
	course := tinyConfig()
	course.Data.Labels = 30
	improved := DefaultConfig("", RecipeImproved, "")
	improved.Model.DSize, improved.Model.GSize, improved.Model.ZDim = 4, 2, 8
	improved.BatchSize, improved.BNBatches, improved.EMADecay, improved.Data.Labels = 16, 2, 0.9, 30
	mlp := MNISTTrainConfig()
	mlp.BatchSize, mlp.Data.Labels = 20, 20
	for _, tc := range []struct {
		name        string
		cfg         TrainConfig
		train, test *data.Images
	}{
		{"course", course, data.SyntheticDigits(80, 1), data.SyntheticDigits(40, 2)},
		{"improved conv", improved, data.SyntheticDigits(80, 1), data.SyntheticDigits(40, 2)},
		{"improved mlp", mlp, greyDigits(80, 1), greyDigits(40, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Epochs = 3
			ds, err := data.NewDataset(tc.train, tc.test, cfg.Data)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Train(context.Background(), newTiny(t, cfg), ds, RunOptions{OutDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			stop := errors.New("stopped")
			_, err = Train(context.Background(), newTiny(t, cfg), ds, RunOptions{OutDir: out,
				OnEpoch: func(run.EpochMetrics) error { return stop }})
			if !errors.Is(err, stop) {
				t.Fatalf("first part: %v", err)
			}
			m, ck, err := LoadCheckpoint(backend(t), out)
			if err != nil {
				t.Fatal(err)
			}
			if ck.Epoch() != 1 || ck.Resumable() != nil {
				t.Fatalf("checkpoint of epoch %d, resumable: %v", ck.Epoch(), ck.Resumable())
			}
			got, err := Train(context.Background(), m, ds, RunOptions{OutDir: out, StartEpoch: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("resumed run: %d epochs, want 2", len(got))
			}
			for i, g := range got {
				w := want[i+1]
				g.EpochSeconds, g.StepSeconds, g.StepsPerSecond = w.EpochSeconds, w.StepSeconds, w.StepsPerSecond
				if g != w {
					t.Fatalf("epoch %d resumed: %+v\nuninterrupted: %+v", w.Epoch, g, w)
				}
			}
			all, err := run.ReadMetrics(filepath.Join(out, run.MetricsFile))
			if err != nil || len(all) != 3 || all[0].TestAcc != want[0].TestAcc || all[2].TestAcc != want[2].TestAcc {
				t.Errorf("metrics.jsonl after the resume: %v, %d epochs", err, len(all))
			}
		})
	}
}
