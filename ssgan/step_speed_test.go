package ssgan

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
)

// benchModel builds cfg's model on the backend that engine.NewBackend picks (XLA where its plugin is
// installed, unlike the tests' pure-Go backend) and one training batch with 16 labelled images.
func benchModel(b *testing.B, backend compute.Backend, cfg TrainConfig) (*Model, data.Batch) {
	m, err := NewModel(backend, cfg, ReferencePieces())
	if err != nil {
		b.Fatal(err)
	}
	im := data.SyntheticDigits(cfg.BatchSize, 1)
	mask, _ := data.LabelMask(im.Labels, 16, false, 1)
	var batch data.Batch
	for bt := range data.Batches(im, cfg.BatchSize, rand.New(rand.NewPCG(1, 2)), mask) {
		batch = bt
	}
	return m, batch
}

// benchBackend is engine.NewBackend's choice, or the benchmark fails.
func benchBackend(b *testing.B) compute.Backend {
	backend, err := engine.NewBackend(nil)
	if err != nil {
		b.Fatal(err)
	}
	return backend
}

// benchmarkStep times one simultaneous D+G training step at batch 128.
func benchmarkStep(b *testing.B, d, g int) {
	cfg := DefaultTrainConfig()
	cfg.Model.DSize, cfg.Model.GSize = d, g
	m, batch := benchModel(b, benchBackend(b), cfg)
	if _, err := m.courseStep(batch); err != nil { // Compile outside the timed loop.
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.courseStep(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkStepCourse is the course's size, (d, g) = (64, 32).
func BenchmarkStepCourse(b *testing.B) { benchmarkStep(b, 64, 32) }

// BenchmarkStepTiny is (d, g) = (8, 4), the size CI and the quick notebook use.
func BenchmarkStepTiny(b *testing.B) { benchmarkStep(b, 8, 4) }
