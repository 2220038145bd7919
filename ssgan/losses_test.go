package ssgan

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// refLogSumExp is the float64 reference.
func refLogSumExp(row []float64) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, v)
	}
	var s float64
	for _, v := range row {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

func refGANLogit(row []float32, extraClass bool) float64 {
	r := make([]float64, NumClasses)
	for i := range r {
		r[i] = float64(row[i])
	}
	fake := 0.0
	if extraClass {
		fake = float64(row[NumClasses])
	}
	return refLogSumExp(r) - fake
}

func ganLogits(t *testing.T, logits []float32, k int, extraClass bool) []float32 {
	t.Helper()
	return flat32(run1(t, func(in []*Node) *Node { return GANLogit(in[0], extraClass) },
		tensors.FromFlatDataAndDimensions(logits, len(logits)/k, k)))
}

func TestGANLogitExtremeInputs(t *testing.T) {
	row := func(vals ...float32) []float32 { return vals }
	fill := func(v float32, k int) []float32 {
		out := make([]float32, k)
		for i := range out {
			out[i] = v
		}
		return out
	}
	for _, tc := range []struct {
		name       string
		logits     []float32
		extraClass bool
		want       float64
	}{
		{"one huge logit", append(row(1e4), fill(0, 9)...), false, 1e4},
		{"all very negative", fill(-1e4, 10), false, -1e4 + math.Log(10)},
		{"all huge", fill(1e4, 10), false, 1e4 + math.Log(10)},
		{"extra class, real huge, fake tiny", append(append(row(1e4), fill(-1e4, 9)...), -1e4), true, 2e4},
		{"extra class, fake huge", append(fill(0, 10), 1e4), true, math.Log(10) - 1e4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := NumLogits(tc.extraClass)
			got := ganLogits(t, tc.logits, k, tc.extraClass)[0]
			if math.IsNaN(float64(got)) || math.IsInf(float64(got), 0) {
				t.Fatalf("not stable: got %g, want %g", got, tc.want)
			}
			if math.Abs(float64(got)-tc.want) > 1e-6*math.Abs(tc.want)+1e-3 {
				t.Fatalf("got %g, want %g", got, tc.want)
			}
		})
	}
}

func TestGANLogitMatchesFloat64Reference(t *testing.T) {
	for _, extraClass := range []bool{false, true} {
		k := NumLogits(extraClass)
		logits := randSlice(64*k, 11)
		for i := range logits {
			logits[i] *= 8
		}
		got := ganLogits(t, logits, k, extraClass)
		for i := range got {
			want := refGANLogit(logits[i*k:(i+1)*k], extraClass)
			if math.Abs(float64(got[i])-want) > 1e-4*math.Max(1, math.Abs(want)) {
				t.Fatalf("extraClass=%v row %d: got %g, want %g", extraClass, i, got[i], want)
			}
		}
	}
}

// refDLoss is the discriminator loss in float64, written from its definition.
func refDLoss(logits []float32, k int, realGAN, fakeGAN []float32, labels []int32, mask []float32) float64 {
	sigCE := func(x, z float64) float64 {
		return -(z*math.Log(1/(1+math.Exp(-x))) + (1-z)*math.Log(1-1/(1+math.Exp(-x))))
	}
	var sup, n float64
	for i := range labels {
		row := make([]float64, k)
		for j := range row {
			row[j] = float64(logits[i*k+j])
		}
		sup += float64(mask[i]) * (refLogSumExp(row) - row[labels[i]])
		n += float64(mask[i])
	}
	var real, fake float64
	for _, v := range realGAN {
		real += sigCE(float64(v), 1)
	}
	for _, v := range fakeGAN {
		fake += sigCE(float64(v), 0)
	}
	return sup/math.Max(1, n) + real/float64(len(realGAN)) + fake/float64(len(fakeGAN))
}

func dLoss(t *testing.T, logits []float32, k int, realGAN, fakeGAN []float32, labels []int32, mask []float32) float64 {
	t.Helper()
	n := len(labels)
	return float64(flat32(run1(t, func(in []*Node) *Node { return DiscriminatorLoss(in[0], in[1], in[2], in[3], in[4]) },
		tensors.FromFlatDataAndDimensions(logits, n, k), tensors.FromFlatDataAndDimensions(realGAN, n),
		tensors.FromFlatDataAndDimensions(fakeGAN, len(fakeGAN)), tensors.FromFlatDataAndDimensions(labels, n),
		tensors.FromFlatDataAndDimensions(mask, n)))[0])
}

func TestDiscriminatorLoss(t *testing.T) {
	const n, k = 16, 11
	logits := randSlice(n*k, 21)
	realGAN, fakeGAN := randSlice(n, 22), randSlice(n+3, 23)
	labels := make([]int32, n)
	mask := make([]float32, n)
	for i := range labels {
		labels[i] = int32((i * 7) % 10)
		if i%3 == 0 {
			mask[i] = 1
		}
	}
	t.Run("matches float64 reference", func(t *testing.T) {
		got, want := dLoss(t, logits, k, realGAN, fakeGAN, labels, mask), refDLoss(logits, k, realGAN, fakeGAN, labels, mask)
		if math.Abs(got-want) > 1e-4*want {
			t.Fatalf("got %g, want %g", got, want)
		}
	})
	t.Run("all-unlabelled batch is finite and unsupervised only", func(t *testing.T) {
		none := make([]float32, n)
		got := dLoss(t, logits, k, realGAN, fakeGAN, labels, none)
		want := refDLoss(logits, k, realGAN, fakeGAN, labels, none)
		if math.IsNaN(got) || math.Abs(got-want) > 1e-4*want {
			t.Fatalf("all-unlabelled batch gives %g, want %g", got, want)
		}
	})
	t.Run("labels of unlabelled images are ignored", func(t *testing.T) {
		other := append([]int32{}, labels...)
		for i := range other {
			if mask[i] == 0 {
				other[i] = (other[i] + 5) % 10
			}
		}
		if a, b := dLoss(t, logits, k, realGAN, fakeGAN, labels, mask), dLoss(t, logits, k, realGAN, fakeGAN, other, mask); a != b {
			t.Fatalf("loss changed from %g to %g when only hidden labels changed", a, b)
		}
	})
	t.Run("extreme GAN logits stay finite", func(t *testing.T) {
		huge := make([]float32, n)
		for i := range huge {
			huge[i] = 1e4 * float32(1-2*(i%2))
		}
		if got := dLoss(t, logits, k, huge, huge, labels, mask); math.IsNaN(got) || math.IsInf(got, 0) {
			t.Fatalf("not stable: loss %g for GAN logits of ±1e4", got)
		}
	})
}

func TestGeneratorLoss(t *testing.T) {
	const n, m, f = 8, 5, 6
	real, fake := randSlice(n*f, 31), randSlice(m*f, 32)
	got := float64(flat32(run1(t, func(in []*Node) *Node { return GeneratorLoss(in[0], in[1]) },
		tensors.FromFlatDataAndDimensions(real, n, f), tensors.FromFlatDataAndDimensions(fake, m, f)))[0])
	var want float64
	for j := 0; j < f; j++ {
		var a, b float64
		for i := 0; i < n; i++ {
			a += float64(real[i*f+j]) / n
		}
		for i := 0; i < m; i++ {
			b += float64(fake[i*f+j]) / m
		}
		want += math.Abs(a-b) / f
	}
	if math.Abs(got-want) > 1e-5 {
		t.Fatalf("got %g, want %g", got, want)
	}
}
