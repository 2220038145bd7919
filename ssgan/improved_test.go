package ssgan

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// mnistLike returns n random MNIST-shaped images, sparse like MNIST's strokes (labels 0..9 in turn).
func mnistLike(n int, seed uint64) *data.Images {
	rng := rand.New(rand.NewPCG(seed, 3))
	im := data.NewImages(data.MNISTShape, n)
	for i := range im.Pixels {
		if rng.Float64() < 0.2 {
			im.Pixels[i] = uint8(rng.IntN(256))
		}
	}
	for i := range im.Labels {
		im.Labels[i] = int32(i % 10)
	}
	return im
}

// all is the batch of every image of im, scaled to [0,1] as the MLPs read them.
func all(im *data.Images) data.Batch {
	idx := make([]int, im.Len())
	for i := range idx {
		idx[i] = i
	}
	return im.Gather(idx, nil, data.Unit)
}

// newMLP returns the improved recipe's MLP model initialised (data-dependent start) on the n images of
// a generated MNIST-like training set.
func newMLP(t *testing.T, batch, n int) *Model {
	t.Helper()
	cfg := MNISTTrainConfig()
	cfg.BatchSize, cfg.Data.Labels = batch, 10
	m, err := NewModel(backend(t), cfg, ReferencePieces())
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.NewDataset(mnistLike(n, 1), mnistLike(20, 2), cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.recipe.prepare(m, ds); err != nil {
		t.Fatal(err)
	}
	return m
}

// Weight normalisation's data-dependent initialisation, as the reference runs it (noise on): each unit of
// the first layer gets the scale 1/sd of its pre-activations on the initialisation batch with the input
// noise (sigma 0.3) added, that is 1/sqrt(var + 0.09) for the noiseless variance var (the noise adds
// 0.3² along a unit-norm direction).
func TestWeightNormDataDependentInit(t *testing.T) {
	m := newMLP(t, 10, 200) // All 200 images form the initialisation batch.
	e, err := model.NewExec(backend(t), m.Store, func(scope *model.Scope, x *Node) *Node {
		s := scope.At(DiscriminatorScope).At("dense1")
		v := s.GetVariable("v").NodeValue(x.Graph())
		x = Reshape(x, 200, -1)
		return Div(Dot(x, v).Product(), ExpandAxes(Sqrt(ReduceSum(Square(v), 0)), 0))
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call(imagesTensor(all(mnistLike(200, 1))))
	if err != nil {
		t.Fatal(err)
	}
	pre, gain := flat32(out[0]), flat32(m.Store.GetVariable("/discriminator/dense1/g").MustValue())
	units := mlpLayers[0]
	worst, sum := 0.0, 0.0
	for u := 0; u < units; u++ {
		var s, s2 float64
		for i := 0; i < 200; i++ {
			v := float64(pre[i*units+u])
			s += v
			s2 += v * v
		}
		variance := s2/200 - (s/200)*(s/200)
		r := float64(gain[u]) * math.Sqrt(variance+0.09)
		worst, sum = max(worst, math.Abs(r-1)), sum+r
	}
	// 200 noisy draws estimate each unit's variance to about 10% (its scale to about 5%); over the 1,000
	// units the mean ratio is within 1%. Without the noise at initialisation it is sqrt(1 + 0.09/var).
	if mean := sum / float64(units); math.Abs(mean-1) > 0.02 || worst > 0.25 {
		t.Fatalf("scale x sqrt(var + 0.3²): mean %.3f, worst unit %.3f off 1; the initialisation did not see the noise", mean, worst)
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
	m := newMLP(t, batch, 64)
	v := m.Store.GetVariable("/" + DiscriminatorScope + "/logits/b")
	if v == nil {
		t.Fatal("no discriminator variable /discriminator/logits/b")
	}
	improved, err := m.Improved()
	if err != nil {
		t.Fatal(err)
	}
	d := m.Config.EMADecay
	var ema []float64
	steps := 0
	for k := 0; k < 4; k++ {
		if _, _, _, err := improved.StepD(all(mnistLike(batch, uint64(10+k))), all(mnistLike(batch, uint64(20+k)))); err != nil {
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
	if err := m.withTestWeights(func() error { averaged = flat32(v.MustValue()); return nil }); err != nil {
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
	m := newMLP(t, 8, 64)
	e, err := model.NewExec(backend(t), m.Store, func(scope *model.Scope, x *Node) []*Node {
		a, _ := MLPDiscriminator(scope, m.Config.Model, m.Pieces, x, BNMode{})
		b, _ := MLPDiscriminator(scope, m.Config.Model, m.Pieces, x, BNMode{})
		c, _ := MLPDiscriminator(scope, m.Config.Model, m.Pieces, x, BNMode{Dropout: true})
		return []*Node{a, b, c}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call(imagesTensor(all(mnistLike(8, 5))))
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

// A recipe's steps are methods of that recipe: a model hands out only its own, and says which it trains.
func TestAModelHandsOutOnlyItsOwnRecipe(t *testing.T) {
	course, improved := newTiny(t, tinyConfig()), newMLP(t, 8, 64)
	if _, err := course.Course(); err != nil {
		t.Fatalf("course model: Course: %v", err)
	}
	if _, err := improved.Improved(); err != nil {
		t.Fatalf("improved model: Improved: %v", err)
	}
	if _, err := course.Improved(); err == nil || !strings.Contains(err.Error(), RecipeCourse) {
		t.Errorf("course model: Improved gave %v; want an error naming the %s recipe", err, RecipeCourse)
	}
	if _, err := improved.Course(); err == nil || !strings.Contains(err.Error(), RecipeImproved) {
		t.Errorf("improved model: Course gave %v; want an error naming the %s recipe", err, RecipeImproved)
	}
}
