package ssgan

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// adamSteps runs three Adam steps of opt on w (starting at 0) with the loss sum(w·c), so the gradient is c at
// every step, and returns w.
func adamSteps(t *testing.T, opt optimizer.Interface, c []float32) []float32 {
	t.Helper()
	store := model.NewStore()
	e, err := model.NewExec(backend(t), store, func(root *model.Scope, g *Graph) *Node {
		scope := root.In("player")
		w := scope.VariableWithValue("w", make([]float32, len(c)))
		loss := ReduceAllSum(Mul(w.NodeValue(g), Const(g, c)))
		opt.UpdateGraph(scope, g, loss)
		return loss
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := e.Call(); err != nil {
			t.Fatal(err)
		}
	}
	return flat32(store.GetVariable("/player/w").MustValue())
}

// wantAdam is Adam written out: ε added inside the square root or outside it, three steps of gradient c.
func wantAdam(c []float32, lr, beta1 float64, inside bool) []float32 {
	out := make([]float32, len(c))
	for i, g := range c {
		var w, m, v float64
		for t := 1; t <= 3; t++ {
			m = beta1*m + (1-beta1)*float64(g)
			v = 0.999*v + 0.001*float64(g)*float64(g)
			mh, vh := m/(1-math.Pow(beta1, float64(t))), v/(1-math.Pow(0.999, float64(t)))
			if inside {
				w -= lr * mh / math.Sqrt(vh+1e-8)
			} else {
				w -= lr * mh / (math.Sqrt(vh) + 1e-8)
			}
		}
		out[i] = float32(w)
	}
	return out
}

// TestAdamEpsilon checks both Adams against Adam written out, and the difference that matters: a weight
// whose gradient is far below 1e-4 takes full-size steps with ε outside and almost none with ε inside.
func TestAdamEpsilon(t *testing.T) {
	c := []float32{1, -0.5, 1e-3, 1e-6, 0}
	for _, inside := range []bool{false, true} {
		cfg := DefaultTrainConfig()
		cfg.LearningRate = 0.003
		if inside {
			cfg.AdamEpsilon = AdamEpsilonInside
		}
		got := adamSteps(t, NewAdam(cfg, "player"), c)
		assertClose(t, "adam_epsilon "+cfg.AdamEpsilon, got, wantAdam(c, 0.003, 0.5, inside), 1e-5)
		tiny := math.Abs(float64(got[3])) / (3 * 0.003) // Steps taken by the 1e-6 gradient, in units of lr.
		if inside && tiny > 0.05 || !inside && tiny < 0.9 {
			t.Errorf("adam_epsilon %q: a gradient of 1e-6 moved its weight %.3g lr a step", cfg.AdamEpsilon, tiny)
		}
	}
}

func TestAdamEpsilonRefusesOtherValues(t *testing.T) {
	cfg := DefaultTrainConfig()
	cfg.AdamEpsilon = "both"
	if err := cfg.Validate(); err == nil || err.Error() != `adam_epsilon "both": want outside (GoMLX's) or inside (the reference's)` {
		t.Errorf("Validate: %v", err)
	}
}
