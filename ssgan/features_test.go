package ssgan

import (
	"bytes"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/report"
)

// clusters returns n points in dim dimensions around k class centres (spread apart by sep), with labels.
func clusters(n, dim, k int, sep float64, seed uint64) ([][]float32, []int32) {
	rng := rand.New(rand.NewPCG(seed, 3))
	centres := make([][]float64, k)
	for c := range centres {
		centres[c] = make([]float64, dim)
		for j := range centres[c] {
			centres[c][j] = sep * rng.NormFloat64()
		}
	}
	rows, labels := make([][]float32, n), make([]int32, n)
	for i := range rows {
		c := i % k
		labels[i] = int32(c)
		rows[i] = make([]float32, dim)
		for j := range rows[i] {
			rows[i][j] = float32(centres[c][j] + rng.NormFloat64())
		}
	}
	return rows, labels
}

func TestProjectFeaturesSeparatesWhatIsSeparable(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sep      float64
		min, max float64 // Bounds on the full-space nearest-centroid accuracy.
	}{
		{"far apart", 20, 0.99, 1},
		{"one cloud", 0, 0, 0.5}, // Chance is 1/3: the labels carry nothing about the points.
	} {
		real, labels := clusters(600, 16, 3, tc.sep, 1)
		fake, _ := clusters(50, 16, 1, 0, 2)
		p, err := report.ProjectFeatures(real, labels, 3, fake)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Real) != 600 || len(p.Fake) != 50 {
			t.Fatalf("%s: %d real and %d fake points, want 600 and 50", tc.name, len(p.Real), len(p.Fake))
		}
		if p.CentroidFull < tc.min || p.CentroidFull > tc.max || p.Centroid2D > p.CentroidFull+0.05 && tc.sep > 0 {
			t.Errorf("%s: nearest centroid %.3f (2-D %.3f), want it in [%g, %g]", tc.name, p.CentroidFull, p.Centroid2D, tc.min, tc.max)
		}
		if tc.sep > 0 && (p.Centroid2D < 0.99 || p.Explained < 0.8) {
			// Three far-apart centres lie in a plane: two components keep them apart and most of the variance.
			t.Errorf("%s: 2-D nearest centroid %.3f, variance kept %.3f; want both high", tc.name, p.Centroid2D, p.Explained)
		}
	}
}

// The projection is centred on the real features' mean and its components are orthonormal: projecting
// the mean gives the origin, and distances along one component are preserved.
func TestProjectFeaturesCentresOnTheRealMean(t *testing.T) {
	real, labels := clusters(200, 5, 2, 3, 4)
	mean := make([]float32, 5)
	for _, r := range real {
		for j, v := range r {
			mean[j] += v / 200
		}
	}
	p, err := report.ProjectFeatures(real, labels, 2, [][]float32{mean})
	if err != nil {
		t.Fatal(err)
	}
	if math.Hypot(p.Fake[0][0], p.Fake[0][1]) > 1e-4 {
		t.Errorf("the real features' mean projects to %v, want the origin", p.Fake[0])
	}
	if _, err := report.ProjectFeatures(real[:3], labels[:3], 2, nil); err == nil {
		t.Error("three points accepted; want an error")
	}
}

// Features and GeneratedFeatures give one row of F features per image (F: the last layer's width), and a
// two-panel figure draws.
func TestModelFeaturesAndFigure(t *testing.T) {
	cfg := DefaultTrainConfig()
	cfg.Model.DSize, cfg.Model.GSize, cfg.BatchSize = 4, 2, 16
	m, err := NewModel(backend(t), cfg, ReferencePieces())
	if err != nil {
		t.Fatal(err)
	}
	im := data.SyntheticDigits(40, 1)
	real, err := m.Features(im)
	if err != nil {
		t.Fatal(err)
	}
	fake, err := m.GeneratedFeatures(12, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(real) != 40 || len(fake) != 12 || len(real[0]) != len(fake[0]) || len(real[0]) < 2 {
		t.Fatalf("features: %d real rows, %d fake rows, widths %d and %d", len(real), len(fake), len(real[0]), len(fake[0]))
	}
	p, err := report.ProjectFeatures(real, im.Labels, 10, fake)
	if err != nil {
		t.Fatal(err)
	}
	b, err := report.ProjectionsPNG([]string{"a", "b"}, []report.Projection{p, p}, data.DigitNames())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w < 2*h {
		t.Errorf("figure of %dx%d: want two panels side by side", w, h)
	}
}
