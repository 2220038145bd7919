package report

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// The learning curves are a PNG of three axes (accuracy, each player's loss); a labels-only run has no
// generator, so its figure has two, two thirds as wide; curves of other runs may join the accuracy axes.
func TestLearningCurvesBeside(t *testing.T) {
	history := []run.EpochMetrics{{Epoch: 1, TrainAcc: 0.2, TestAcc: 0.3, DLoss: 2, GLoss: 0.1}, {Epoch: 2, TrainAcc: 0.4, TestAcc: 0.5, DLoss: 1.5, GLoss: 0.08}}
	width := func(run run.Info, others []Curve) int {
		raw, err := LearningCurvesBeside(history, run, others)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("not a PNG: %v", err)
		}
		return cfg.Width
	}
	gan, alone := width(run.Info{}, nil), width(run.Info{SupervisedOnly: true}, []Curve{{Name: "GAN", Acc: []float64{0.4, 0.6, 0.7}}})
	if gan == 0 || alone*3 != gan*2 {
		t.Errorf("widths: GAN run %d px, labels-only run %d px; want the second two thirds of the first", gan, alone)
	}
}
