package lessoncheck_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/exercises"
	"github.com/ssgan-go/ssgan-go/solutions"
	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/lessoncheck"
)

type check struct {
	n    int
	name string
	run  func() error
}

// checks pairs each exercise's number and name with its shared check, run on p's function.
func checks(p ssgan.Pieces) []check {
	return []check{
		{1, "GlobalAveragePool", func() error { return lessoncheck.GlobalAveragePool(p.GlobalAveragePool) }},
		{2, "ClassLogits", func() error { return lessoncheck.ClassLogits(p.ClassLogits) }},
		{3, "GANLogit", func() error { return lessoncheck.GANLogit(p.GANLogit) }},
		{4, "DiscriminatorLoss", func() error { return lessoncheck.DiscriminatorLoss(p.DiscriminatorLoss) }},
		{5, "GeneratorLoss", func() error { return lessoncheck.GeneratorLoss(p.GeneratorLoss) }},
		{6, "SplitVariables", func() error { return lessoncheck.SplitVariables(p.SplitVariables) }},
		{7, "Optimize", func() error { return lessoncheck.Optimize(p.Optimize) }},
	}
}

func solutionChecks() []check {
	return checks(ssgan.Pieces{
		GlobalAveragePool: solutions.GlobalAveragePool,
		ClassLogits:       solutions.ClassLogits,
		GANLogit:          solutions.GANLogit,
		DiscriminatorLoss: solutions.DiscriminatorLoss,
		GeneratorLoss:     solutions.GeneratorLoss,
		SplitVariables:    solutions.SplitVariables,
		Optimize:          solutions.Optimize,
	})
}

func stubChecks() []check {
	return checks(ssgan.Pieces{
		GlobalAveragePool: exercises.GlobalAveragePool,
		ClassLogits:       exercises.ClassLogits,
		GANLogit:          exercises.GANLogit,
		DiscriminatorLoss: exercises.DiscriminatorLoss,
		GeneratorLoss:     exercises.GeneratorLoss,
		SplitVariables:    exercises.SplitVariables,
		Optimize:          exercises.Optimize,
	})
}

func TestSolutionsPass(t *testing.T) {
	for _, c := range solutionChecks() {
		if err := c.run(); err != nil {
			t.Errorf("exercise %d (%s): %v", c.n, c.name, err)
		}
	}
}

// TestStubsFailKindly: every stub fails its check with exactly the friendly message, nothing else. An
// exercise whose stub a learner has replaced with an answer (exercises/pieces.go, as its doc invites) is
// theirs to check with `go test ./exercises/...`; it is named and left out here.
func TestStubsFailKindly(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "exercises", "pieces.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range stubChecks() {
		stub := fmt.Sprintf("panic(ssgan.NotImplemented(%d, %q, \"exercises/pieces.go\"))", c.n, c.name)
		if !strings.Contains(string(src), stub) {
			t.Logf("exercise %d (%s) holds an answer in exercises/pieces.go: not a stub to check", c.n, c.name)
			continue
		}
		err := c.run()
		want := fmt.Sprintf("exercise %d (%s) not implemented yet — edit exercises/pieces.go", c.n, c.name)
		if err == nil || err.Error() != want {
			t.Errorf("stub %d: error %q, want %q", c.n, err, want)
		}
	}
}

// TestChecksCatchMistakes feeds each check a typical mistake and expects the message that explains it.
func TestChecksCatchMistakes(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		run        func() error
	}{
		{"pool over the wrong axes", "got 6 values, want 8", func() error {
			return lessoncheck.GlobalAveragePool(func(x *Node) *Node { return ReduceMean(x, 2, 3) })
		}},
		{"naive log-sum-exp", "not stable: a logit of 1e4 gives +Inf", func() error {
			return lessoncheck.GANLogit(func(l *Node, extra bool) *Node {
				k := l.Shape().Dimensions[1]
				if extra {
					k--
				}
				lse := Log(ReduceSum(Exp(Slice(l, AxisRange(), AxisRange(0, k))), -1))
				if extra {
					lse = Sub(lse, Squeeze(Slice(l, AxisRange(), AxisRange(k, k+1)), -1))
				}
				return lse
			})
		}},
		{"forgot the fake logit", "with extraClass, subtract the last logit; the log-sum-exp is over the first 10 only", func() error {
			return lessoncheck.GANLogit(func(l *Node, extra bool) *Node { return solutions.GANLogit(l, false) })
		}},
		{"ten classes written in", "read the number of classes from the shape of classLogits", func() error {
			return lessoncheck.GANLogit(func(l *Node, extra bool) *Node {
				if l.Shape().Dimensions[1] >= data.NumClasses {
					return solutions.GANLogit(l, extra)
				}
				return solutions.GANLogit(l, true) // A 3-class logit row read as 2 classes + fake.
			})
		}},
		{"class logits for ten classes whatever numClasses says", "ClassLogits with numClasses=3, extraClass=false: shape [3 10], want [3 3]", func() error {
			return lessoncheck.ClassLogits(func(scope *model.Scope, f *Node, k int, extra bool) *Node {
				return ssgan.Dense(scope, "class_logits", f, ssgan.NumLogits(data.NumClasses, extra))
			})
		}},
		{"divide by the mask sum alone", "all-unlabelled batch gives NaN", func() error {
			return lessoncheck.DiscriminatorLoss(func(logits, realGAN, fakeGAN, labels, mask *Node) *Node {
				ce := ssgan.SoftmaxCrossEntropy(logits, labels)
				sup := Div(ReduceAllSum(Mul(ce, mask)), ReduceAllSum(mask))
				return Add(sup, Add(ReduceAllMean(ssgan.SigmoidCrossEntropy(realGAN, 1)), ReduceAllMean(ssgan.SigmoidCrossEntropy(fakeGAN, 0))))
			})
		}},
		{"unmasked supervised loss", "uses the labels of unlabelled images", func() error {
			return lessoncheck.DiscriminatorLoss(func(logits, realGAN, fakeGAN, labels, mask *Node) *Node {
				sup := ReduceAllMean(ssgan.SoftmaxCrossEntropy(logits, labels))
				one := solutions.DiscriminatorLoss(logits, realGAN, fakeGAN, labels, ZerosLike(mask))
				return Add(sup, one)
			})
		}},
		{"class logits plus the features (shapes that do not fit)", "exercise 2 (ClassLogits): building your graph failed on features of shape [3 8]", func() error {
			return lessoncheck.ClassLogits(func(scope *model.Scope, f *Node, k int, extra bool) *Node {
				return Add(ssgan.Dense(scope, "logits", f, ssgan.NumLogits(k, extra)), f) // [3,10] + [3,8].
			})
		}},
		{"softmax after the class logits", "as after a softmax or sigmoid", func() error {
			return lessoncheck.ClassLogits(func(scope *model.Scope, f *Node, k int, extra bool) *Node {
				return Softmax(ssgan.Dense(scope, "class_logits", f, ssgan.NumLogits(k, extra)), -1)
			})
		}},
		{"sigmoid after the class logits", "as after a softmax or sigmoid", func() error {
			return lessoncheck.ClassLogits(func(scope *model.Scope, f *Node, k int, extra bool) *Node {
				return Sigmoid(ssgan.Dense(scope, "class_logits", f, ssgan.NumLogits(k, extra)))
			})
		}},
		{"leaky ReLU after the class logits", "not one linear layer of the features", func() error {
			return lessoncheck.ClassLogits(func(scope *model.Scope, f *Node, k int, extra bool) *Node {
				return ssgan.LeakyReLU(ssgan.Dense(scope, "class_logits", f, ssgan.NumLogits(k, extra)), 0.2)
			})
		}},
		{"one maximum over the whole batch", "take the maximum of each row", func() error {
			return lessoncheck.GANLogit(func(l *Node, extra bool) *Node {
				k := l.Shape().Dimensions[1]
				if extra {
					k--
				}
				digits := Slice(l, AxisRange(), AxisRange(0, k))
				m := ReduceAllMax(digits)
				lse := Add(m, Log(ReduceSum(Exp(Sub(digits, m)), -1)))
				if extra {
					lse = Sub(lse, Squeeze(Slice(l, AxisRange(), AxisRange(k, k+1)), -1))
				}
				return lse
			})
		}},
		{"class logits in a layer of another name", `in a layer named "class_logits"`, func() error {
			return lessoncheck.ClassLogits(func(scope *model.Scope, f *Node, k int, extra bool) *Node {
				return ssgan.Dense(scope, "logits", f, ssgan.NumLogits(k, extra))
			})
		}},
		{"class logits that ignore the features", "the same logits for different features", func() error {
			return lessoncheck.ClassLogits(func(scope *model.Scope, f *Node, k int, extra bool) *Node {
				return ssgan.Dense(scope, "class_logits", ZerosLike(f), ssgan.NumLogits(k, extra))
			})
		}},
		{"feature matching without the batch means", "exercise 5 (GeneratorLoss): building your graph failed on inputs of shapes [8 6], [5 6]", func() error {
			return lessoncheck.GeneratorLoss(func(r, f *Node) *Node { return ReduceAllMean(Abs(Sub(r, f))) })
		}},
		{"players swapped", "… and ", func() error { // Every variable is wrong: the message names a few and counts the rest.
			return lessoncheck.SplitVariables(func(s *model.Store) (d, g []*model.Variable, err error) {
				d, g, err = solutions.SplitVariables(s)
				return g, d, err
			})
		}},
		{"index past the end", "exercise 6 (SplitVariables): your function panicked", func() error {
			return lessoncheck.SplitVariables(func(s *model.Store) (d, g []*model.Variable, err error) {
				d, g, err = solutions.SplitVariables(s)
				return d, append(g, g[len(g)]), err
			})
		}},
		{"generator variables in the discriminator's list", "a generator variable (/generator/", func() error {
			return lessoncheck.SplitVariables(func(s *model.Store) (d, g []*model.Variable, err error) {
				d, g, err = solutions.SplitVariables(s)
				return append(d, g[0]), g[1:], err
			})
		}},
		{"no coverage check", "accepted a trainable variable (/stray/weights)", func() error {
			return lessoncheck.SplitVariables(func(s *model.Store) (d, g []*model.Variable, err error) {
				for v := range s.IterVariables() {
					if v.Trainable && strings.HasPrefix(v.Path(), "/discriminator/") {
						d = append(d, v)
					} else if v.Trainable && strings.HasPrefix(v.Path(), "/generator/") {
						g = append(g, v)
					}
				}
				return d, g, nil
			})
		}},
	} {
		err := tc.run()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		} else if len(err.Error()) > 800 {
			t.Errorf("%s: a %d-character message; keep it short enough to read: %s", tc.name, len(err.Error()), err)
		}
	}
}
