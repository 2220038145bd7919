package ssgan

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestStepSmoke(t *testing.T) {
	backend, err := NewBackend(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultTrainConfig()
	cfg.Model.DSize, cfg.Model.GSize = 8, 4
	cfg.BatchSize = 32
	m, err := NewModel(backend, cfg, ReferencePieces())
	if err != nil {
		t.Fatal(err)
	}
	im := SyntheticDigits(64, 1)
	mask, _ := LabelMask(im.Labels, 20, false, 1)
	for b := range Batches(im, 32, rand.New(rand.NewPCG(1, 2)), mask) {
		start := time.Now()
		r, err := m.Step(b)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v %v", r, time.Since(start))
	}
}
