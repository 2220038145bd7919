package lessoncheck

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan"
)

// Optimize checks exercise 7 on two players of three weights each, whose losses both reach both players:
//
//	dLoss = s·(cd·wd + cx·wg), gLoss = s·(cg·wg + cy·wd)
//
// so a weight that follows the wrong loss, or an optimizer given the wrong list, moves the wrong way. s
// changes between the two steps (1, then -0.5) so that the second step shows β1. Adam's first step moves
// each weight by the learning rate times g/(|g| + ε): the third weight's gradient, 1e-6, shows ε.
func Optimize(fn func(store *model.Store, cfg ssgan.TrainConfig, dLoss, gLoss *Node, dVars, gVars []*model.Variable)) error {
	return withBackend(func(b compute.Backend) error { return optimize(b, fn) })
}

// The check's coefficients and settings: a learning rate no default has, the course's β1.
var (
	optCD, optCX = []float32{1, -2, 1e-6}, []float32{3, 3, 3}
	optCG, optCY = []float32{-1, 0.5, 1e-6}, []float32{5, 5, 5}
	optSteps     = []float32{1, -0.5}
)

const optLR, optBeta1 = 0.01, 0.5

func optimize(b compute.Backend, fn func(store *model.Store, cfg ssgan.TrainConfig, dLoss, gLoss *Node, dVars, gVars []*model.Variable)) error {
	cfg := ssgan.DefaultTrainConfig()
	cfg.LearningRate, cfg.Beta1 = optLR, optBeta1
	store := model.NewStore()
	var wd, wg *model.Variable
	var learnerPanic error // A panic of the learner's function (not a stub's) while the graph is built.
	e, err := model.NewExec(b, store, func(scope *model.Scope, s *Node) *Node {
		g := s.Graph()
		wd = scope.In(ssgan.DiscriminatorScope).VariableWithValue("w", make([]float32, 3))
		wg = scope.In(ssgan.GeneratorScope).VariableWithValue("w", make([]float32, 3))
		dot := func(c []float32, w *model.Variable) *Node { return ReduceAllSum(Mul(Const(g, c), w.NodeValue(g))) }
		dLoss := Mul(s, Add(dot(optCD, wd), dot(optCX, wg)))
		gLoss := Mul(s, Add(dot(optCG, wg), dot(optCY, wd)))
		defer func() {
			if r := recover(); r != nil {
				if e, ok := r.(error); !ok || unwrapStub(e) == e {
					learnerPanic = fmt.Errorf("exercise 7 (Optimize): your function panicked: %v", r)
				}
				panic(r)
			}
		}()
		fn(store, cfg, dLoss, gLoss, []*model.Variable{wd}, []*model.Variable{wg})
		return dLoss
	})
	if err != nil {
		return err
	}
	for step, s := range optSteps {
		if _, err := e.Call(tensors.FromScalar(s)); err != nil {
			if stub := unwrapStub(err); stub != err {
				return stub
			}
			if learnerPanic != nil {
				return learnerPanic
			}
			return fmt.Errorf("exercise 7 (Optimize): building your graph failed: %s", firstLine(err))
		}
		gotD, gotG := tensors.MustCopyFlatData[float32](wd.MustValue()), tensors.MustCopyFlatData[float32](wg.MustValue())
		if err := judgeStep(step+1, gotD, gotG); err != nil {
			return err
		}
	}
	return nil
}

// adamWeights is what Adam (β2 0.999, ε 1e-8) makes of weights starting at 0 after the steps given,
// for gradients c·s.
func adamWeights(c []float32, steps []float32, lr, beta1, eps float64) []float64 {
	out := make([]float64, len(c))
	for i := range c {
		var w, m, v float64
		for t, s := range steps {
			g := float64(c[i]) * float64(s)
			m = beta1*m + (1-beta1)*g
			v = 0.999*v + 0.001*g*g
			n := float64(t + 1)
			w -= lr * (m / (1 - math.Pow(beta1, n))) / (math.Sqrt(v/(1-math.Pow(0.999, n))) + eps)
		}
		out[i] = w
	}
	return out
}

func matches(got []float32, want []float64) bool {
	for i := range got {
		if bad(got[i]) || math.Abs(float64(got[i])-want[i]) > 1e-4*math.Abs(want[i])+1e-7 {
			return false
		}
	}
	return true
}

// judgeStep compares both players' weights after a step with Adam's, and when they differ says which
// part of the set-up the difference points to.
func judgeStep(step int, gotD, gotG []float32) error {
	steps := optSteps[:step]
	wantD := adamWeights(optCD, steps, optLR, optBeta1, 1e-8)
	wantG := adamWeights(optCG, steps, optLR, optBeta1, 1e-8)
	if matches(gotD, wantD) && matches(gotG, wantG) {
		return nil
	}
	if allZero(gotD) && allZero(gotG) {
		return fmt.Errorf("exercise 7 (Optimize): after a training step no weight moved: apply each player's Adam to its loss and variables (ssgan.Minimize)")
	}
	for _, p := range []struct {
		player, other string
		got           []float32
		want          []float64
		own, cross    []float32
	}{{"discriminator", "generator", gotD, wantD, optCD, optCY}, {"generator", "discriminator", gotG, wantG, optCG, optCX}} {
		if matches(p.got, p.want) {
			continue
		}
		switch {
		case allZero(p.got):
			return fmt.Errorf("exercise 7 (Optimize): the %s's weights never moved: give its Adam the %s's loss and its list from exercise 6", p.player, p.player)
		case matches(p.got, adamWeights(p.cross, steps, optLR, optBeta1, 1e-8)):
			return fmt.Errorf("exercise 7 (Optimize): the %s's weights followed the %s's loss, so the %s would learn to help its opponent: "+
				"give each player's Adam that player's own loss", p.player, p.other, p.player)
		case step == 1 && matches(p.got, adamWeights(p.own, steps, optLR, optBeta1, 1e-7)):
			return fmt.Errorf("exercise 7 (Optimize): the %s's Adam has GoMLX's default ε, 1e-7; the course's TensorFlow Adam has 1e-8: set Epsilon(1e-8)", p.player)
		case step == 1 && p.player == "generator" && matches(gotD, wantD) && math.Abs(math.Abs(float64(p.got[0]))-optLR) > 1e-6:
			return fmt.Errorf("exercise 7 (Optimize): the generator's first step is not Adam's first step (it moved by %.4g, not the learning rate): "+
				"its Adam counts the discriminator's steps too — give each player's Adam a Scope of its own", math.Abs(float64(p.got[0])))
		case step == 1 && math.Abs(math.Abs(float64(p.got[0]))-optLR) > 1e-6:
			return fmt.Errorf("exercise 7 (Optimize): Adam's first step moves each weight by the learning rate, but the %s's moved by %.4g "+
				"where cfg.LearningRate is %g: use cfg.LearningRate", p.player, math.Abs(float64(p.got[0])), optLR)
		case step == 1:
			return fmt.Errorf("exercise 7 (Optimize): after the first step the %s's weights are %v, want %.4g: each player's Adam minimises "+
				"its own loss over its own list", p.player, p.got, p.want)
		case matches(p.got, adamWeights(p.own, steps, optLR, 0.9, 1e-8)):
			return fmt.Errorf("exercise 7 (Optimize): the %s's Adam has GoMLX's default β1, 0.9; the course's GANs use cfg.Beta1 (0.5), "+
				"which lets the optimizer turn faster as the opponent changes: set Betas(cfg.Beta1, 0.999)", p.player)
		default:
			return fmt.Errorf("exercise 7 (Optimize): after the second step the %s's weights are %v, want %.4g: check β1 = cfg.Beta1, "+
				"β2 = 0.999, and that each player's Adam has a Scope of its own (its moments and step count)", p.player, p.got, p.want)
		}
	}
	return nil
}
