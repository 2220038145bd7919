package report

import (
	"math"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

func TestSampleStatistics(t *testing.T) {
	flat := make([]float32, 2*data.ImageValues)
	checker := make([]float32, 2*data.ImageValues)
	for i := range checker {
		x := (i / data.ImageChannels) % data.ImageSize
		checker[i] = float32(1 - 2*(x%2)) // Columns alternate +1, -1.
	}
	differ := make([]float32, 2*data.ImageValues)
	for i := data.ImageValues; i < len(differ); i++ {
		differ[i] = 1 // Image 0 all 0, image 1 all 1: variance 0.25 at every pixel.
	}
	for _, c := range []struct {
		name         string
		pixels       []float32
		diff, spread float64
	}{
		{"flat", flat, 0, 0},
		{"checkerboard", checker, 2, 0},
		{"two flat images", differ, 0, 0.25},
	} {
		if d := NeighbourDifference(c.pixels, data.SVHNShape); math.Abs(d-c.diff) > 1e-9 {
			t.Errorf("%s: neighbour difference %g, want %g", c.name, d, c.diff)
		}
		if s := SampleSpread(c.pixels, data.SVHNShape); math.Abs(s-c.spread) > 1e-9 {
			t.Errorf("%s: spread %g, want %g", c.name, s, c.spread)
		}
	}
}
