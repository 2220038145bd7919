package ssgan

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// mnistLike returns n random "images" of 784 values in [0,1], sparse like MNIST's strokes.
func mnistLike(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 3))
	x := make([]float32, n*data.MNISTValues)
	for i := range x {
		if rng.Float64() < 0.2 {
			x[i] = float32(rng.Float64())
		}
	}
	return x
}

func newMLP(t *testing.T, batch int) *MLPModel {
	t.Helper()
	cfg := MNISTTrainConfig()
	cfg.BatchSize = batch
	m, err := NewMLPModel(backend(t), cfg, ReferencePieces())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Weight normalisation's data-dependent initialisation: on the initialisation batch, every unit of the
// first layer has pre-activations of mean 0 and variance 1.
func TestWeightNormDataDependentInit(t *testing.T) {
	m := newMLP(t, 10)
	x := mnistLike(200, 1)
	if err := m.Initialize(x); err != nil {
		t.Fatal(err)
	}
	e, err := model.NewExec(backend(t), m.Store, func(scope *model.Scope, x *Node) *Node {
		return wnDense(scope.At(DiscriminatorScope), "dense1", x, MLPLayers[0], false, MLPMode{})
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call(tensors.FromFlatDataAndDimensions(x, 200, data.MNISTValues))
	if err != nil {
		t.Fatal(err)
	}
	pre := flat32(out[0])
	units := MLPLayers[0]
	for u := 0; u < units; u++ {
		var s, s2 float64
		for i := 0; i < 200; i++ {
			v := float64(pre[i*units+u])
			s += v
			s2 += v * v
		}
		mean := s / 200
		variance := s2/200 - mean*mean
		if math.Abs(mean) > 1e-3 || math.Abs(variance-1) > 1e-2 {
			t.Fatalf("unit %d: pre-activation mean %.4g, variance %.4g; want 0 and 1", u, mean, variance)
		}
	}
}

// The unsupervised loss is the reference's formula, finite for extreme logits; feature matching is the
// mean squared difference of batch means.
func TestImprovedLosses(t *testing.T) {
	softplus := func(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }
	lUnl, lFake := []float32{2, -1, 80, -80}, []float32{0.5, -3, 1e4}
	got := flat32(run1(t, func(in []*Node) *Node { return ImprovedDiscriminatorLoss(in[0], in[1]) },
		tensors.FromFlatDataAndDimensions(lUnl, 4), tensors.FromFlatDataAndDimensions(lFake, 3)))[0]
	var a, b, c float64
	for _, l := range lUnl {
		a += float64(l) / 4
		b += softplus(float64(l)) / 4
	}
	for _, l := range lFake {
		c += softplus(float64(l)) / 3
	}
	if want := -0.5*a + 0.5*b + 0.5*c; math.Abs(float64(got)-want) > 1e-3*math.Abs(want) {
		t.Errorf("unsupervised loss %g, want %g", got, want)
	}
	fm := flat32(run1(t, func(in []*Node) *Node { return MeanSquaredFeatureMatching(in[0], in[1]) },
		tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4}, 2, 2), tensors.FromFlatDataAndDimensions([]float32{0, 0, 1, 1, 2, 2}, 3, 2)))[0]
	// Means (2, 3) and (1, 1): ((1)² + (2)²) / 2 = 2.5.
	if math.Abs(float64(fm)-2.5) > 1e-6 {
		t.Errorf("feature matching %g, want 2.5", fm)
	}
}

// Evaluation uses the bias-corrected moving average of the discriminator's weights, and leaves the
// trained weights in place afterwards.
func TestAveragedWeights(t *testing.T) {
	const batch = 8
	m := newMLP(t, batch)
	if err := m.Initialize(mnistLike(64, 2)); err != nil {
		t.Fatal(err)
	}
	v := m.Store.GetVariable("/" + DiscriminatorScope + "/logits/b")
	if v == nil {
		t.Fatal("no discriminator variable /discriminator/logits/b")
	}
	d := m.Config.EMADecay
	var ema []float64
	steps := 0
	labels := make([]int32, batch)
	for k := 0; k < 4; k++ {
		if _, _, _, err := m.StepD(mnistLike(batch, uint64(10+k)), labels, mnistLike(batch, uint64(20+k))); err != nil {
			t.Fatal(err)
		}
		w := flat32(v.MustValue())
		if ema == nil {
			ema = make([]float64, len(w))
		}
		for i := range w {
			ema[i] = d*ema[i] + (1-d)*float64(w[i])
		}
		steps++
	}
	trained := flat32(v.MustValue())
	var averaged []float32
	if err := m.avg.apply(func() error { averaged = flat32(v.MustValue()); return nil }); err != nil {
		t.Fatal(err)
	}
	corr := 1 - math.Pow(d, float64(steps))
	for i := range ema {
		if want := ema[i] / corr; math.Abs(float64(averaged[i])-want) > 1e-4*(1+math.Abs(want)) {
			t.Fatalf("averaged weight %d: %g, want %g", i, averaged[i], want)
		}
	}
	assertClose(t, "trained weights after evaluation", flat32(v.MustValue()), trained, 0)
}

// Gaussian noise acts in training passes only: evaluation is deterministic.
func TestNoiseInTrainingOnly(t *testing.T) {
	m := newMLP(t, 8)
	if err := m.Initialize(mnistLike(64, 2)); err != nil {
		t.Fatal(err)
	}
	e, err := model.NewExec(backend(t), m.Store, func(scope *model.Scope, x *Node) []*Node {
		a, _ := MLPDiscriminator(scope, x, MLPMode{})
		b, _ := MLPDiscriminator(scope, x, MLPMode{})
		c, _ := MLPDiscriminator(scope, x, MLPMode{Noise: true})
		return []*Node{a, b, c}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call(tensors.FromFlatDataAndDimensions(mnistLike(8, 5), 8, data.MNISTValues))
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "two evaluation passes", flat32(out[1]), flat32(out[0]), 0)
	same := true
	for i, v := range flat32(out[2]) {
		same = same && v == flat32(out[0])[i]
	}
	if same {
		t.Error("a training pass gave exactly the evaluation logits: no noise")
	}
}

func TestLabelledOrderCyclesEveryLabel(t *testing.T) {
	labelled := []int{3, 7, 11, 20}
	order := labelledOrder(rand.New(rand.NewPCG(1, 2)), labelled, 10)
	if len(order) != 10 {
		t.Fatalf("%d indices, want 10", len(order))
	}
	for round := 0; round+len(labelled) <= len(order); round += len(labelled) {
		seen := map[int]bool{}
		for _, i := range order[round : round+len(labelled)] {
			seen[i] = true
		}
		if len(seen) != len(labelled) {
			t.Errorf("round at %d: %v is not each labelled image once", round, order[round:round+len(labelled)])
		}
	}
}
