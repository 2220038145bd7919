package ssgan

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// EpochMetrics is one line of metrics.jsonl.
type EpochMetrics struct {
	Epoch          int     `json:"epoch"`
	TrainAcc       float64 `json:"train_acc"` // On the labelled images seen this epoch, dropout on (as the course).
	TestAcc        float64 `json:"test_acc"`
	ValidAcc       float64 `json:"valid_acc"` // On the validation images (data.Dataset.Valid): picks best.ssgan.
	DLoss          float64 `json:"d_loss"`    // Mean over the epoch's steps.
	GLoss          float64 `json:"g_loss"`
	EpochSeconds   float64 `json:"epoch_seconds"` // Training steps only, as the course times it.
	StepSeconds    float64 `json:"step_seconds"`
	StepsPerSecond float64 `json:"steps_per_second"`
	Steps          int     `json:"steps"`
	LearningRate   float64 `json:"learning_rate"` // The rate used during this epoch.
	// Of the epoch's sample grid (see samplestats.go); absent for the supervised-only baseline.
	SampleNeighbourDiff float64 `json:"sample_neighbour_diff,omitempty"`
	SampleSpread        float64 `json:"sample_spread,omitempty"`
}

// Finish sets the epoch's means and timing from its sums: the losses per step, the step time, and the
// train accuracy (correct of labelled).
func (em *EpochMetrics) Finish(d time.Duration, correct, labelled float64) {
	em.EpochSeconds = d.Seconds()
	if em.Steps > 0 {
		em.DLoss /= float64(em.Steps)
		em.GLoss /= float64(em.Steps)
		em.StepSeconds = em.EpochSeconds / float64(em.Steps)
		em.StepsPerSecond = float64(em.Steps) / em.EpochSeconds
	}
	if labelled > 0 {
		em.TrainAcc = correct / labelled
	}
}

// MaxMetricsBytes bounds the metrics.jsonl that ReadMetrics reads: a line is about 400 bytes, so 64 MiB
// is over 100,000 epochs.
const MaxMetricsBytes = 64 << 20

// ReadMetrics reads a metrics.jsonl file back.
func ReadMetrics(path string) ([]EpochMetrics, error) {
	raw, err := data.ReadFileLimited(path, MaxMetricsBytes)
	if err != nil {
		return nil, err
	}
	var out []EpochMetrics
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if line == "" {
			continue
		}
		var em EpochMetrics
		if err := json.Unmarshal([]byte(line), &em); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		out = append(out, em)
	}
	return out, nil
}
