package ssgan

import (
	"math"
	"slices"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// naiveConv is the textbook convolution (cross-correlation) with TensorFlow's padding, in float64.
func naiveConv(x []float32, n, h, w, cin int, k []float32, ks, cout, stride int, same bool) (out []float32, ho, wo int) {
	top, left := 0, 0
	if same {
		top, _, ho = samePadding(h, ks, stride)
		left, _, wo = samePadding(w, ks, stride)
	} else {
		ho, wo = (h-ks)/stride+1, (w-ks)/stride+1
	}
	out = make([]float32, n*ho*wo*cout)
	for b := 0; b < n; b++ {
		for i := 0; i < ho; i++ {
			for j := 0; j < wo; j++ {
				for co := 0; co < cout; co++ {
					var s float64
					for di := 0; di < ks; di++ {
						for dj := 0; dj < ks; dj++ {
							y, xx := i*stride+di-top, j*stride+dj-left
							if y < 0 || y >= h || xx < 0 || xx >= w {
								continue
							}
							for ci := 0; ci < cin; ci++ {
								s += float64(x[((b*h+y)*w+xx)*cin+ci]) * float64(k[((di*ks+dj)*cin+ci)*cout+co])
							}
						}
					}
					out[((b*ho+i)*wo+j)*cout+co] = float32(s)
				}
			}
		}
	}
	return out, ho, wo
}

func TestConv2DMatchesNaive(t *testing.T) {
	for _, tc := range []struct {
		name                           string
		n, h, w, cin, ks, cout, stride int
		same                           bool
	}{
		{"3x3 s2 same even", 2, 8, 8, 3, 3, 4, 2, true},
		{"3x3 s1 same", 2, 5, 6, 2, 3, 3, 1, true},
		{"3x3 s1 valid", 1, 4, 4, 2, 3, 5, 1, false},
		{"5x5 s2 same odd", 1, 7, 7, 2, 5, 2, 2, true},
		{"1x1", 2, 3, 3, 4, 1, 2, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := randSlice(tc.n*tc.h*tc.w*tc.cin, 1)
			k := randSlice(tc.ks*tc.ks*tc.cin*tc.cout, 2)
			want, ho, wo := naiveConv(x, tc.n, tc.h, tc.w, tc.cin, k, tc.ks, tc.cout, tc.stride, tc.same)
			got := run1(t, func(in []*Node) *Node { return Conv2D(in[0], in[1], tc.stride, tc.same) },
				tensors.FromFlatDataAndDimensions(x, tc.n, tc.h, tc.w, tc.cin),
				tensors.FromFlatDataAndDimensions(k, tc.ks, tc.ks, tc.cin, tc.cout))
			if dims := got.Shape().Dimensions; dims[1] != ho || dims[2] != wo {
				t.Fatalf("output %v, want %dx%d", dims, ho, wo)
			}
			assertClose(t, "conv", flat32(got), want, 1e-5)
		})
	}
}

// TestConv2DGradient checks the gradient of sum(conv(x,k) * r) against finite differences, for x and k.
func TestConv2DGradient(t *testing.T) {
	const n, h, w, cin, ks, cout, stride = 1, 5, 5, 2, 3, 2, 2
	x := randSlice(n*h*w*cin, 3)
	k := randSlice(ks*ks*cin*cout, 4)
	_, ho, wo := naiveConv(x, n, h, w, cin, k, ks, cout, stride, true)
	r := randSlice(n*ho*wo*cout, 5)
	loss := func(x, k []float32) float64 {
		out, _, _ := naiveConv(x, n, h, w, cin, k, ks, cout, stride, true)
		var s float64
		for i := range out {
			s += float64(out[i]) * float64(r[i])
		}
		return s
	}
	e, err := NewExec(backend(t), func(x, k, r *Node) (*Node, *Node) {
		l := ReduceAllSum(Mul(Conv2D(x, k, stride, true), r))
		grads := Gradient(l, x, k)
		return grads[0], grads[1]
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call(tensors.FromFlatDataAndDimensions(x, n, h, w, cin),
		tensors.FromFlatDataAndDimensions(k, ks, ks, cin, cout), tensors.FromFlatDataAndDimensions(r, n, ho, wo, cout))
	if err != nil {
		t.Fatal(err)
	}
	numeric := func(v []float32, f func([]float32) float64) []float32 {
		g := make([]float32, len(v))
		for i := range v {
			old := v[i]
			v[i] = old + 1e-2
			up := f(v)
			v[i] = old - 1e-2
			down := f(v)
			v[i] = old
			g[i] = float32((up - down) / 2e-2)
		}
		return g
	}
	assertClose(t, "d/dx", flat32(out[0]), numeric(x, func(v []float32) float64 { return loss(v, k) }), 1e-3)
	assertClose(t, "d/dk", flat32(out[1]), numeric(k, func(v []float32) float64 { return loss(x, v) }), 1e-3)
}

// Both forms of LeakyReLU are max(x, alpha*x), with slope 1 at and above 0 and alpha below, in value and
// in gradient.
func TestLeakyReLU(t *testing.T) {
	const alpha = 0.2
	x := []float32{-1e30, -3, -1e-30, 0, 1e-30, 2.5, 1e30}
	for name, leaky := range map[string]func(*Node, float64) *Node{
		"slope": leakyReLUBySlope, "max": leakyReLUByMax, "LeakyReLU": LeakyReLU} {
		e, err := NewExec(backend(t), func(x *Node) (*Node, *Node) {
			y := leaky(x, alpha)
			// Weighting each output by its index + 1 makes every gradient entry distinct: dy_i/dx_i * (i+1).
			w := AddScalar(ConvertDType(Iota(x.Graph(), x.Shape(), 0), x.DType()), 1)
			return y, Gradient(ReduceAllSum(Mul(y, w)), x)[0]
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.Call(tensors.FromFlatDataAndDimensions(x, len(x)))
		if err != nil {
			t.Fatal(err)
		}
		y, grad := flat32(out[0]), flat32(out[1])
		for i, v := range x {
			wantY, slope := v, float32(1)
			if v < 0 {
				wantY, slope = alpha*v, alpha
			}
			if y[i] != wantY || grad[i] != slope*float32(i+1) {
				t.Errorf("%s, x=%g: got y=%g, grad=%g; want %g, %g", name, v, y[i], grad[i], wantY, slope*float32(i+1))
			}
		}
	}
}

// SafeNormal and HashedNormal draw standard normal values, all finite: mean 0, variance 1, kurtosis 3,
// neighbours uncorrelated, and a new draw at every call.
func TestNormalDraws(t *testing.T) {
	const n = 100000
	for name, draw := range map[string]func(*model.Scope, *Graph, shapes.Shape) *Node{"SafeNormal": SafeNormal, "HashedNormal": HashedNormal} {
		store := model.NewStore()
		if err := store.SetRNGStateFromSeed(5); err != nil {
			t.Fatal(err)
		}
		e, err := model.NewExec(backend(t), store, func(scope *model.Scope, x *Node) *Node {
			return draw(scope, x.Graph(), shapes.Make(dtypes.Float32, n/100, 100))
		})
		if err != nil {
			t.Fatal(err)
		}
		var calls [2][]float32
		for i := range calls {
			out, err := e.Call(float32(0))
			if err != nil {
				t.Fatal(err)
			}
			calls[i] = flat32(out[0])
		}
		var s, s2, s4, lag float64
		v := calls[0]
		for i, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("%s: non-finite draw %g", name, x)
			}
			s += float64(x)
			s2 += float64(x) * float64(x)
			s4 += math.Pow(float64(x), 4)
			if i > 0 {
				lag += float64(x) * float64(v[i-1])
			}
		}
		mean, variance, kurtosis, corr := s/n, s2/n-(s/n)*(s/n), s4/n, lag/(n-1)
		if math.Abs(mean) > 0.02 || math.Abs(variance-1) > 0.03 || math.Abs(kurtosis-3) > 0.15 || math.Abs(corr) > 0.02 {
			t.Errorf("%s: mean %.4f, variance %.4f, fourth moment %.3f, neighbour correlation %.4f; want 0, 1, 3, 0", name, mean, variance, kurtosis, corr)
		}
		// The whole distribution, not only its moments: Kolmogorov-Smirnov distance to N(0,1)'s CDF, below
		// its 1% critical value (1.63/√n).
		sorted := slices.Clone(v)
		slices.Sort(sorted)
		var ks float64
		for i, x := range sorted {
			cdf := 0.5 * math.Erfc(-float64(x)/math.Sqrt2)
			ks = max(ks, math.Abs(cdf-float64(i)/n), math.Abs(cdf-float64(i+1)/n))
		}
		if limit := 1.63 / math.Sqrt(n); ks > limit {
			t.Errorf("%s: Kolmogorov-Smirnov distance to N(0,1) %.5f, want below %.5f", name, ks, limit)
		}
		same := 0
		for i := range calls[0] {
			if calls[0][i] == calls[1][i] {
				same++
			}
		}
		if same > n/1000 {
			t.Errorf("%s: %d of %d values repeat in the next call", name, same, n)
		}
	}
}

// cosTwoPi (HashedNormal's cosine, a polynomial) agrees with math.Cos(2πu) on [0, 1] to float32 rounding.
func TestCosTwoPi(t *testing.T) {
	const n = 100001
	u := make([]float32, n)
	for i := range u {
		u[i] = float32(i) / (n - 1)
	}
	e, err := NewExec(backend(t), cosTwoPi)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call(u)
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for i, got := range flat32(out[0]) {
		worst = max(worst, math.Abs(float64(got)-math.Cos(2*math.Pi*float64(u[i]))))
	}
	if worst > 5e-7 {
		t.Errorf("cosTwoPi differs from cos(2πu) by up to %.2g, want at most 5e-7", worst)
	}
}

// dropoutMasks runs Dropout at the given rate twice (two steps: two keys) on ones of the given shape and
// returns both outputs.
func dropoutMasks(t *testing.T, b compute.Backend, rate float64, dims ...int) (first, second []float32) {
	t.Helper()
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(11); err != nil {
		t.Fatal(err)
	}
	e, err := model.NewExec(b, store, func(scope *model.Scope, x *Node) *Node {
		return Dropout(scope, Ones(x.Graph(), shapes.Make(dtypes.Float32, dims...)), rate, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		out, err := e.Call(float32(0))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = flat32(out[0])
		} else {
			second = flat32(out[0])
		}
	}
	return first, second
}

// Dropout drops each value with the given probability, independently of its neighbours and of the
// previous step's mask, and rescales the rest.
func TestDropoutMasks(t *testing.T) { checkDropoutMasks(t, backend(t)) }

func checkDropoutMasks(t *testing.T, b compute.Backend) {
	for _, rate := range []float64{0.2, 0.5} {
		first, second := dropoutMasks(t, b, rate, 64, 32, 32, 3)
		n := float64(len(first))
		var dropped, both, neighbours float64
		for i, v := range first {
			switch {
			case v == 0:
				dropped++
				if second[i] == 0 {
					both++
				}
				if i > 0 && first[i-1] == 0 {
					neighbours++
				}
			case math.Abs(float64(v)-1/(1-rate)) > 1e-6:
				t.Fatalf("rate %g: kept value %g, want 1/(1-rate) = %g", rate, v, 1/(1-rate))
			}
		}
		// With 196,608 values the sampling error of each fraction is about 0.001.
		for _, c := range []struct {
			what      string
			got, want float64
		}{
			{"dropped", dropped / n, rate},
			{"dropped in both steps", both / n, rate * rate},
			{"dropped with its left neighbour", neighbours / (n - 1), rate * rate},
		} {
			if math.Abs(c.got-c.want) > 0.006 {
				t.Errorf("rate %g: fraction %s %.4f, want %.4f", rate, c.what, c.got, c.want)
			}
		}
	}
}

// Each of RandomBits' 32 bits is set half the time.
func TestRandomBitsAreBalanced(t *testing.T) {
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(3); err != nil {
		t.Fatal(err)
	}
	e, err := model.NewExec(backend(t), store, func(scope *model.Scope, x *Node) *Node {
		return RandomBits(scope, x.Graph(), 1<<16)
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call(float32(0))
	if err != nil {
		t.Fatal(err)
	}
	bits := tensors.MustCopyFlatData[uint32](out[0])
	for b := range 32 {
		set := 0
		for _, v := range bits {
			set += int(v >> b & 1)
		}
		if f := float64(set) / float64(len(bits)); math.Abs(f-0.5) > 0.01 { // sampling error ~0.002
			t.Errorf("bit %d set in %.4f of the values, want 0.5", b, f)
		}
	}
}
