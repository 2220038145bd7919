package lessoncheck_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/ssgan-go/ssgan-go/solutions"
	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/lessoncheck"
)

// answer is one learner's answer to an exercise, as its check sees it. want is "" for an answer that is
// right (written differently from ours), else a phrase its check's message must contain.
type answer struct {
	exercise int
	name     string
	want     string
	run      func() error
}

// Answers a learner coming from TensorFlow or PyTorch plausibly writes: for each exercise at least three
// that are wrong in a way training would feel (a shape, a gradient, a guard, a value) and two right ones
// written differently from the reference.
var answers = []answer{
	// Exercise 1: GlobalAveragePool.
	{1, "kept-dims mean (keepdims=True)", "returns shape [2 1 1 4] on a [2,3,3,4] feature map; want [2 4]", pool(func(x *Node) *Node {
		return ReduceAndKeep(x, ReduceMean, 1, 2)
	})},
	{1, "the mean converted to float64", "returns Float64 values; want float32", pool(func(x *Node) *Node {
		return ConvertDType(ReduceMean(x, 1, 2), dtypes.Float64)
	})},
	{1, "sum instead of mean", "want the spatial mean", pool(func(x *Node) *Node { return ReduceSum(x, 1, 2) })},
	{1, "max pooling", "want the spatial mean", pool(func(x *Node) *Node { return ReduceMax(x, 1, 2) })},
	{1, "StopGradient around the pool", "gradient with respect to x is 0", pool(func(x *Node) *Node { return StopGradient(ReduceMean(x, 1, 2)) })},
	{1, "two means, one axis at a time", "", pool(func(x *Node) *Node { return ReduceMean(ReduceMean(x, 2), 1) })},
	{1, "sum divided by H·W, negative axes", "", pool(func(x *Node) *Node {
		d := x.Shape().Dimensions
		return MulScalar(ReduceSum(x, -3, -2), 1/float64(d[1]*d[2]))
	})},

	// Exercise 2: ClassLogits.
	{2, "the extra class as a constant 0 column", "stays the same whatever the features are", classLogits(func(s *model.Scope, f *Node, k int, extra bool) *Node {
		l := ssgan.Dense(s, "class_logits", f, k)
		if extra {
			l = Concatenate([]*Node{l, Zeros(f.Graph(), shapes.Make(dtypes.Float32, f.Shape().Dimensions[0], 1))}, -1)
		}
		return l
	})},
	{2, "StopGradient on the features", "the gradient with respect to the features is 0", classLogits(func(s *model.Scope, f *Node, k int, extra bool) *Node {
		return ssgan.Dense(s, "class_logits", StopGradient(f), ssgan.NumLogits(k, extra))
	})},
	{2, "softmax probabilities instead of logits", "as after a softmax or sigmoid", classLogits(func(s *model.Scope, f *Node, k int, extra bool) *Node {
		return Softmax(ssgan.Dense(s, "class_logits", f, ssgan.NumLogits(k, extra)), -1)
	})},
	{2, "ten classes written in", "want [3 3]", classLogits(func(s *model.Scope, f *Node, k int, extra bool) *Node {
		return ssgan.Dense(s, "class_logits", f, ssgan.NumLogits(10, extra))
	})},
	{2, "GoMLX's layers.Dense in a class_logits scope", "", classLogits(func(s *model.Scope, f *Node, k int, extra bool) *Node {
		return layers.Dense(s.In("class_logits"), f, true, ssgan.NumLogits(k, extra))
	})},
	{2, "a dense layer written by hand", "", classLogits(func(s *model.Scope, f *Node, k int, extra bool) *Node {
		n := ssgan.NumLogits(k, extra)
		s = s.In("class_logits")
		w := s.VariableWithShape("weights", shapes.Make(dtypes.Float32, f.Shape().Dimensions[1], n)).NodeValue(f.Graph())
		b := s.VariableWithShape("bias", shapes.Make(dtypes.Float32, n)).NodeValue(f.Graph())
		return Add(Einsum("nf,fk->nk", f, w), ExpandAxes(b, 0))
	})},

	// Exercise 3: GANLogit.
	{3, "a Where guard around the naive formula", "gradient with respect to classLogits is NaN", ganLogit(func(real *Node) *Node {
		naive := Log(ReduceSum(Exp(real), -1))
		m := StopGradient(ReduceMax(real, -1))
		stable := Add(m, Log(ReduceSum(Exp(Sub(real, ExpandAxes(m, -1))), -1)))
		return Where(IsFinite(naive), naive, stable)
	})},
	{3, "kept-dims log-sum-exp ([N,1])", "keeping one value per image", ganLogit(func(real *Node) *Node {
		m := ReduceAndKeep(real, ReduceMax, -1)
		return Add(m, Log(ReduceAndKeep(Exp(Sub(real, m)), ReduceSum, -1)))
	})},
	{3, "StopGradient on the whole logit", "gradient with respect to classLogits is 0", ganLogit(func(real *Node) *Node {
		m := ReduceMax(real, -1)
		return StopGradient(Add(m, Log(ReduceSum(Exp(Sub(real, ExpandAxes(m, -1))), -1))))
	})},
	{3, "naive log-sum-exp", "not stable", ganLogit(func(real *Node) *Node { return Log(ReduceSum(Exp(real), -1)) })},
	{3, "keep-dims max, no StopGradient", "", ganLogit(func(real *Node) *Node {
		m := ReduceAndKeep(real, ReduceMax, -1)
		return Squeeze(Add(m, Log(ReduceAndKeep(Exp(Sub(real, m)), ReduceSum, -1))), -1)
	})},
	{3, "through LogSoftmax: l0 - log p0", "", ganLogit(func(real *Node) *Node {
		return Squeeze(Slice(Sub(real, LogSoftmax(real, -1)), AxisRange(), AxisRange(0, 1)), -1)
	})},

	// Exercise 4: DiscriminatorLoss.
	{4, "a Where guard for the batch without labels", "Where still differentiates the branch it does not take", dLoss(func(sum, labelled *Node) *Node {
		return Where(GreaterThan(labelled, ZerosLike(labelled)), Div(sum, labelled), ZerosLike(sum))
	}, unsupervised)},
	{4, "a [1]-shaped loss", "returns shape [1]", func() error {
		return lessoncheck.DiscriminatorLoss(func(l, r, f, y, m *Node) *Node { return Reshape(solutions.DiscriminatorLoss(l, r, f, y, m), 1) })
	}},
	{4, "the supervised mean over every image", "want", func() error {
		return lessoncheck.DiscriminatorLoss(func(l, r, f, y, m *Node) *Node {
			return Add(ReduceAllMean(Mul(ssgan.SoftmaxCrossEntropy(l, y), m)), unsupervised(r, f))
		})
	}},
	{4, "log(sigmoid(x)) written out", "not stable", dLoss(safeDiv, func(realGAN, fakeGAN *Node) *Node {
		return Neg(Add(ReduceAllMean(Log(Sigmoid(realGAN))), ReduceAllMean(Log(OneMinus(Sigmoid(fakeGAN))))))
	})},
	{4, "MaskedMean from ssgan", "", func() error {
		return lessoncheck.DiscriminatorLoss(func(l, r, f, y, m *Node) *Node {
			return Add(ssgan.MaskedMean(ssgan.SoftmaxCrossEntropy(l, y), m), unsupervised(r, f))
		})
	}},
	{4, "a count that cannot be 0, softplus written out", "", dLoss(func(sum, labelled *Node) *Node {
		return Div(sum, AddScalar(labelled, 1e-8))
	}, func(realGAN, fakeGAN *Node) *Node {
		return Add(ReduceAllMean(Softplus(Neg(realGAN))), ReduceAllMean(Softplus(fakeGAN)))
	})},

	// Exercise 5: GeneratorLoss.
	{5, "a [1]-shaped loss", "returns shape [1]", gLoss(func(r, f *Node) *Node { return Reshape(solutions.GeneratorLoss(r, f), 1) })},
	{5, "Sqrt(Square(d)) for the absolute value", "Abs has one", gLoss(func(r, f *Node) *Node {
		return ReduceAllMean(Sqrt(Square(Sub(ReduceMean(r, 0), ReduceMean(f, 0)))))
	})},
	{5, "StopGradient on the generated features", "gradient with respect to fakeFeatures is 0", gLoss(func(r, f *Node) *Node {
		return ReduceAllMean(Abs(Sub(ReduceMean(r, 0), StopGradient(ReduceMean(f, 0)))))
	})},
	{5, "the squared difference (the MNIST script's)", "want", gLoss(func(r, f *Node) *Node {
		return ReduceAllMean(Square(Sub(ReduceMean(r, 0), ReduceMean(f, 0))))
	})},
	{5, "StopGradient on the real side, sum over F", "", gLoss(func(r, f *Node) *Node {
		d := Sub(StopGradient(ReduceMean(r, 0)), ReduceMean(f, 0))
		return MulScalar(ReduceAllSum(Abs(d)), 1/float64(d.Shape().Dimensions[0]))
	})},
	{5, "a smooth absolute value", "", gLoss(func(r, f *Node) *Node {
		d := Sub(ReduceMean(r, 0), ReduceMean(f, 0))
		return ReduceAllMean(Sqrt(AddScalar(Square(d), 1e-12)))
	})},

	// Exercise 6: SplitVariables.
	{6, "players swapped", "… and ", split(func(s *model.Store) (d, g []*model.Variable, err error) {
		d, g, err = solutions.SplitVariables(s)
		return g, d, err
	})},
	{6, "no check for variables in neither list", "accepted a trainable variable (/stray/weights)", split(func(s *model.Store) (d, g []*model.Variable, err error) {
		for v := range s.IterVariables() {
			switch {
			case v.Trainable && strings.HasPrefix(v.Path(), "/discriminator/"):
				d = append(d, v)
			case v.Trainable && strings.HasPrefix(v.Path(), "/generator/"):
				g = append(g, v)
			}
		}
		return d, g, nil
	})},
	{6, "untrainable variables (batch-norm statistics) in the lists", "is not trainable", split(func(s *model.Store) (d, g []*model.Variable, err error) {
		for v := range s.IterVariables() {
			switch {
			case strings.HasPrefix(v.Path(), "/discriminator/"):
				d = append(d, v)
			case strings.HasPrefix(v.Path(), "/generator/"):
				g = append(g, v)
			}
		}
		return d, g, nil
	})},
	{6, "no check for an empty list", "return an error when either list is empty", split(func(s *model.Store) (d, g []*model.Variable, err error) {
		for v := range s.IterVariables() {
			switch {
			case !v.Trainable:
			case strings.HasPrefix(v.Path(), "/discriminator/"):
				d = append(d, v)
			case strings.HasPrefix(v.Path(), "/generator/"):
				g = append(g, v)
			default:
				return nil, nil, fmt.Errorf("stray %s", v.Path())
			}
		}
		return d, g, nil
	})},
	{6, "the path's first element, strings.Split", "", split(func(s *model.Store) (d, g []*model.Variable, err error) {
		for v := range s.IterVariables() {
			if !v.Trainable {
				continue
			}
			switch strings.Split(v.Path(), "/")[1] {
			case "discriminator":
				d = append(d, v)
			case "generator":
				g = append(g, v)
			default:
				return nil, nil, fmt.Errorf("%s belongs to no player", v.Path())
			}
		}
		if len(d) == 0 || len(g) == 0 {
			return nil, nil, errors.New("a player without variables")
		}
		return d, g, nil
	})},
	// Exercise 7: Optimize.
	{7, "GoMLX's default Adam", "GoMLX's default ε", optimize(func(cfg ssgan.TrainConfig, player string) optimizer.Interface {
		return optimizer.Adam().LearningRate(cfg.LearningRate).Scope("adam_" + player).Done()
	}, false)},
	{7, "ε as TensorFlow's, β1 left at GoMLX's 0.9", "default β1, 0.9", optimize(func(cfg ssgan.TrainConfig, player string) optimizer.Interface {
		return optimizer.Adam().LearningRate(cfg.LearningRate).Epsilon(1e-8).Scope("adam_" + player).Done()
	}, false)},
	{7, "the course's learning rate written in", "where cfg.LearningRate is", optimize(func(cfg ssgan.TrainConfig, player string) optimizer.Interface {
		return optimizer.Adam().LearningRate(0.0003).Betas(0.5, 0.999).Epsilon(1e-8).Scope("adam_" + player).Done()
	}, false)},
	{7, "one Scope for both Adams", "a Scope of its own", optimize(func(cfg ssgan.TrainConfig, player string) optimizer.Interface {
		return optimizer.Adam().LearningRate(cfg.LearningRate).Betas(cfg.Beta1, 0.999).Epsilon(1e-8).Scope("adam").Done()
	}, false)},
	{7, "the losses swapped", "followed the generator's loss", func() error {
		return lessoncheck.Optimize(func(store *model.Store, cfg ssgan.TrainConfig, dLoss, gLoss *Node, dVars, gVars []*model.Variable) {
			solutions.Optimize(store, cfg, gLoss, dLoss, dVars, gVars)
		})
	}},
	{7, "the discriminator's only", "the generator's weights never moved", func() error {
		return lessoncheck.Optimize(func(store *model.Store, cfg ssgan.TrainConfig, dLoss, gLoss *Node, dVars, gVars []*model.Variable) {
			ssgan.Minimize(store, dVars, ssgan.NewAdam(cfg, "discriminator"), dLoss)
		})
	}},
	{7, "ssgan's own NewAdam", "", optimize(ssgan.NewAdam, false)},
	{7, "each Adam on its player's scope (GoMLX's way, no lists)", "", optimize(func(cfg ssgan.TrainConfig, player string) optimizer.Interface {
		return optimizer.Adam().LearningRate(cfg.LearningRate).Betas(cfg.Beta1, 0.999).Epsilon(1e-8).Scope("adam_" + player).Done()
	}, true)},

	{6, "panic as the course's assert", "", split(func(s *model.Store) (d, g []*model.Variable, err error) {
		for v := range s.IterVariables() {
			if v.Trainable && strings.Contains(v.Path(), "/discriminator/") {
				d = append(d, v)
			} else if v.Trainable && strings.Contains(v.Path(), "/generator/") {
				g = append(g, v)
			} else if v.Trainable {
				panic("stray variable " + v.Path())
			}
		}
		if len(d) == 0 || len(g) == 0 {
			panic("a player without variables")
		}
		return d, g, nil
	})},
}

// TestEachExerciseJudgesAnswers runs every answer above through its exercise's check: a wrong one must
// fail with its phrase, a right one must pass; each exercise keeps at least three wrong and two right.
// (BenchmarkChecks times the checks: the lesson wants each under 2 s on the pure-Go backend.)
func TestEachExerciseJudgesAnswers(t *testing.T) {
	wrong, right := map[int]int{}, map[int]int{}
	for _, a := range answers {
		err := a.run()
		if err != nil && len(err.Error()) > 800 {
			t.Errorf("exercise %d, %s: a %d-character message; keep it short enough to read", a.exercise, a.name, len(err.Error()))
		}
		switch {
		case a.want == "":
			right[a.exercise]++
			if err != nil {
				t.Errorf("exercise %d, right answer %q failed: %v", a.exercise, a.name, err)
			}
		case err == nil:
			wrong[a.exercise]++
			t.Errorf("exercise %d, wrong answer %q passed its check", a.exercise, a.name)
		default:
			wrong[a.exercise]++
			t.Logf("exercise %d, %s:\n\t%v", a.exercise, a.name, err)
			if !strings.Contains(err.Error(), a.want) {
				t.Errorf("exercise %d, wrong answer %q: %v\nwant a message saying %q", a.exercise, a.name, err, a.want)
			}
		}
	}
	for ex := 1; ex <= 7; ex++ {
		if wrong[ex] < 3 || right[ex] < 2 {
			t.Errorf("exercise %d keeps %d wrong and %d right answers; want at least 3 and 2", ex, wrong[ex], right[ex])
		}
	}
}

func pool(fn func(x *Node) *Node) func() error {
	return func() error { return lessoncheck.GlobalAveragePool(fn) }
}

func classLogits(fn func(s *model.Scope, f *Node, k int, extra bool) *Node) func() error {
	return func() error { return lessoncheck.ClassLogits(fn) }
}

// ganLogit turns a log-sum-exp over the class logits into a whole answer to exercise 3 (the fake logit
// sliced off and subtracted as the reference does), so each answer differs only where its name says.
func ganLogit(lse func(real *Node) *Node) func() error {
	return func() error {
		return lessoncheck.GANLogit(func(l *Node, extra bool) *Node {
			k := l.Shape().Dimensions[1]
			if extra {
				k--
			}
			out := lse(Slice(l, AxisRange(), AxisRange(0, k)))
			if extra {
				out = Sub(out, Squeeze(Slice(l, AxisRange(), AxisRange(k, k+1)), -1))
			}
			return out
		})
	}
}

// dLoss builds an answer to exercise 4 from a way to average the supervised loss (sum over labelled
// images, their count) and a way to write the unsupervised part.
func dLoss(average func(sum, labelled *Node) *Node, unsup func(realGAN, fakeGAN *Node) *Node) func() error {
	return func() error {
		return lessoncheck.DiscriminatorLoss(func(l, r, f, y, m *Node) *Node {
			sum := ReduceAllSum(Mul(ssgan.SoftmaxCrossEntropy(l, y), m))
			return Add(average(sum, ReduceAllSum(m)), unsup(r, f))
		})
	}
}

func safeDiv(sum, labelled *Node) *Node { return Div(sum, Max(labelled, OnesLike(labelled))) }

func unsupervised(realGAN, fakeGAN *Node) *Node {
	return Add(ReduceAllMean(ssgan.SigmoidCrossEntropy(realGAN, 1)), ReduceAllMean(ssgan.SigmoidCrossEntropy(fakeGAN, 0)))
}

func gLoss(fn func(r, f *Node) *Node) func() error {
	return func() error { return lessoncheck.GeneratorLoss(fn) }
}

func split(fn func(s *model.Store) (d, g []*model.Variable, err error)) func() error {
	return func() error { return lessoncheck.SplitVariables(fn) }
}

// BenchmarkChecks times each exercise's check on the reference answers, as a learner's %test runs it
// after the first (the backend already up): go test -run '^$' -bench Checks ./ssgan/lessoncheck.
func BenchmarkChecks(b *testing.B) {
	for _, c := range solutionChecks() {
		b.Run(fmt.Sprintf("exercise%d", c.n), func(b *testing.B) {
			for b.Loop() {
				if err := c.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// optimize builds an answer to exercise 7 from a way to make one player's Adam: applied to each player's
// list with ssgan.Minimize, or (byScope) to the trainable variables under the player's scope, GoMLX's own way.
func optimize(adam func(cfg ssgan.TrainConfig, player string) optimizer.Interface, byScope bool) func() error {
	return func() error {
		return lessoncheck.Optimize(func(store *model.Store, cfg ssgan.TrainConfig, dLoss, gLoss *Node, dVars, gVars []*model.Variable) {
			if byScope {
				adam(cfg, "discriminator").UpdateGraph(store.Scope("/discriminator"), dLoss.Graph(), dLoss)
				adam(cfg, "generator").UpdateGraph(store.Scope("/generator"), gLoss.Graph(), gLoss)
				return
			}
			ssgan.Minimize(store, dVars, adam(cfg, "discriminator"), dLoss)
			ssgan.Minimize(store, gVars, adam(cfg, "generator"), gLoss)
		})
	}
}
