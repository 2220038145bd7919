package run

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
	// Of the epoch's sample grid (see ssgan/report/samplestats.go); absent for the supervised-only baseline.
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

// BestEpoch returns the epoch with the best validation accuracy and that accuracy (0, 0 without any).
func BestEpoch(history []EpochMetrics) (epoch int, acc float64) {
	for _, h := range history {
		if h.ValidAcc > acc {
			epoch, acc = h.Epoch, h.ValidAcc
		}
	}
	return epoch, acc
}

// AppendMetrics appends one epoch's line to dir's metrics.jsonl.
func AppendMetrics(dir string, em EpochMetrics) error {
	line, _ := json.Marshal(em)
	f, err := os.OpenFile(filepath.Join(dir, MetricsFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

// ResumeMetrics returns the metrics of the first epochs epochs of the run in dir, and rewrites its
// metrics.jsonl to hold exactly those: an epoch whose line was written but whose checkpoint was not (a
// crash between the two) is trained again rather than recorded twice.
func ResumeMetrics(dir string, epochs int) ([]EpochMetrics, error) {
	path := filepath.Join(dir, MetricsFile)
	history, err := ReadMetrics(path)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	if len(history) < epochs {
		return nil, fmt.Errorf("resume: %s holds %d epochs but the checkpoint %d: the run's outputs do not belong together", path, len(history), epochs)
	}
	history = history[:epochs]
	var buf bytes.Buffer
	for i, em := range history {
		if em.Epoch != i+1 {
			return nil, fmt.Errorf("resume: %s: line %d is epoch %d, want %d", path, i+1, em.Epoch, i+1)
		}
		line, _ := json.Marshal(em)
		buf.Write(append(line, '\n'))
	}
	return history, data.WriteFileAtomic(path, buf.Bytes())
}
