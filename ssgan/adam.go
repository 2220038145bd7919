package ssgan

import (
	"fmt"
	"path"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// Where Adam adds its epsilon (TrainConfig.AdamEpsilon).
const (
	// AdamEpsilonOutside is GoMLX's Adam: w -= lr·m̂ / (√v̂ + 1e-8). Weights whose gradients are tiny
	// still take steps of about lr.
	AdamEpsilonOutside = "outside"
	// AdamEpsilonInside is the Adam of openai/improved-gan (nn.py, adam_updates:
	// `g_t = v_hat / T.sqrt(mg_hat + 1e-8)`): w -= lr·m̂ / √(v̂ + 1e-8). The denominator never drops below
	// 1e-4, so a weight whose gradients are much smaller than that barely moves.
	AdamEpsilonInside = "inside"
)

// adamEpsilon is the 1e-8 both versions use; only where it is added differs.
const adamEpsilon = 1e-8

func checkAdamEpsilon(where string) error {
	switch where {
	case "", AdamEpsilonOutside, AdamEpsilonInside:
		return nil
	}
	return fmt.Errorf("adam_epsilon %q: want %s (GoMLX's) or %s (the reference's)", where, AdamEpsilonOutside, AdamEpsilonInside)
}

// referenceAdam is Adam as openai/improved-gan's nn.py computes it (ε inside the square root). Its state is
// laid out as GoMLX's Adam lays out its own (moments under /<scopeName>/<variable's scope>, a step counter,
// the learning-rate variable under the player's "optimizers" scope), so that the learning rate is found,
// decayed and reset the same way whichever Adam trains.
type referenceAdam struct {
	scopeName        string
	lr, beta1, beta2 float64
}

// UpdateGraph implements optimizer.Interface.
func (o *referenceAdam) UpdateGraph(scope *model.Scope, g *Graph, loss *Node) {
	if !loss.Shape().IsScalar() {
		panic(fmt.Sprintf("Adam needs a scalar loss, got %s", loss.Shape()))
	}
	grads := scope.BuildTrainableVariablesGradientsGraph(loss)
	dtype := loss.DType()
	lr := optimizer.LearningRateVar(scope, dtype, o.lr).NodeValue(g)
	_ = optimizer.IncrementGlobalStep(g, dtype)
	t := optimizer.IncrementCounter(scope.At("%s", o.scopeName), g, "step", dtype)
	beta1 := Scalar(g, dtype, o.beta1)
	beta2 := Scalar(g, dtype, o.beta2)
	debias1 := Reciprocal(OneMinus(Pow(beta1, t)))
	debias2 := Reciprocal(OneMinus(Pow(beta2, t)))
	eps := Scalar(g, dtype, adamEpsilon)
	i := 0
	for v := range scope.IterVariables() {
		if !v.Trainable || !v.InUseByGraph(g) {
			continue
		}
		grad := grads[i]
		i++
		m1, m2 := o.moments(scope, v)
		mean := Add(Mul(beta1, m1.NodeValue(g)), Mul(OneMinus(beta1), grad))
		sq := Add(Mul(beta2, m2.NodeValue(g)), Mul(OneMinus(beta2), Square(grad)))
		m1.SetNodeValue(mean)
		m2.SetNodeValue(sq)
		step := Div(Mul(lr, Mul(mean, debias1)), Sqrt(Add(Mul(sq, debias2), eps)))
		v.SetNodeValue(Sub(v.NodeValue(g), step))
	}
	if i != len(grads) {
		panic(fmt.Sprintf("Adam: %d gradients for %d variables", len(grads), i))
	}
}

// moments returns v's first and second moment variables, made (zero) on first use.
func (o *referenceAdam) moments(scope *model.Scope, v *model.Variable) (m1, m2 *model.Variable) {
	s := scope.Store().Scope(path.Join("/", o.scopeName, v.Scope())).WithInitializer(initializer.Zero)
	shape := shapes.Make(v.Shape().DType, v.Shape().Dimensions...)
	m1 = s.VariableWithShape(v.Name()+"_1st_moment", shape).SetTrainable(false)
	m2 = s.VariableWithShape(v.Name()+"_2nd_moment", shape).SetTrainable(false)
	return m1, m2
}

// Clear implements optimizer.Interface: it deletes the moments and the step counter.
func (o *referenceAdam) Clear(scope *model.Scope) error {
	return scope.In("%s", o.scopeName).DeleteVariablesInScope()
}
