package ssgan

import (
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// BestEpoch names the first epoch with the highest validation accuracy: the rule Train saves best.ssgan
// by, so that the report and the file agree on a tie.
func TestBestEpoch(t *testing.T) {
	h := func(accs ...float64) []run.EpochMetrics {
		var out []run.EpochMetrics
		for i, a := range accs {
			out = append(out, run.EpochMetrics{Epoch: i + 1, ValidAcc: a})
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		history []run.EpochMetrics
		epoch   int
		acc     float64
	}{
		{"none", nil, 0, 0},
		{"rising", h(0.2, 0.4, 0.6), 3, 0.6},
		{"peak in the middle", h(0.2, 0.7, 0.5), 2, 0.7},
		{"tie: the first one", h(0.3, 0.6, 0.6, 0.5), 2, 0.6},
		{"no validation set (all 0)", h(0, 0), 0, 0},
	} {
		if e, a := run.BestEpoch(tc.history); e != tc.epoch || a != tc.acc {
			t.Errorf("%s: BestEpoch = %d, %g; want %d, %g", tc.name, e, a, tc.epoch, tc.acc)
		}
	}
}
