package ssgan

import (
	"math"
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// weightAverage is the improved recipe's exponential moving average of the discriminator's weights,
// which the test uses instead of the last step's weights. The averages live in the store under /ema (not
// trainable, so they are saved with a checkpoint), start at zero, and are divided by 1 - decay^steps
// when used, as Adam corrects its moments: early epochs are not pulled toward zero.
type weightAverage struct {
	store *model.Store
	decay float64
	vars  []*model.Variable // The trainable discriminator variables, in the store's order.
}

// emaScope holds the averaged discriminator weights (not trainable).
const emaScope = "ema"

// listWeights returns the averages of the discriminator's trainable variables of store; with create, it
// also creates the (zero) averages and the step counter, which must not exist yet.
func listWeights(store *model.Store, decay float64, create bool) *weightAverage {
	w := &weightAverage{store: store, decay: decay}
	for v := range store.IterVariables() {
		if v.Trainable && strings.HasPrefix(v.Path(), "/"+DiscriminatorScope+"/") {
			w.vars = append(w.vars, v)
		}
	}
	if create {
		for _, v := range w.vars {
			store.VariableWithValue("/"+emaScope+v.Path(), tensors.FromShape(v.MustValue().Shape())).SetTrainable(false)
		}
		store.VariableWithValue("/"+emaScope+"/steps", float32(0)).SetTrainable(false)
	}
	return w
}

// updateGraph folds the weights' current values (after this step's update) into their averages.
func (w *weightAverage) updateGraph(g *Graph) {
	for _, v := range w.vars {
		ema := w.store.GetVariable("/" + emaScope + v.Path())
		ema.SetNodeValue(Add(MulScalar(ema.NodeValue(g), w.decay), MulScalar(v.NodeValue(g), 1-w.decay)))
	}
	steps := w.store.GetVariable("/" + emaScope + "/steps")
	steps.SetNodeValue(AddScalar(steps.NodeValue(g), 1))
}

// apply runs fn with the discriminator's weights replaced by their bias-corrected averages, and puts
// the trained weights back afterwards.
func (w *weightAverage) apply(fn func() error) error {
	steps := scalar(w.store.GetVariable("/" + emaScope + "/steps").MustValue())
	if steps == 0 || w.decay == 0 {
		return fn()
	}
	correction := float32(1 / (1 - math.Pow(w.decay, steps)))
	// Host copies: setting a variable releases its previous tensor.
	saved := make([][]float32, len(w.vars))
	for i, v := range w.vars {
		saved[i] = tensors.MustCopyFlatData[float32](v.MustValue())
		avg := tensors.MustCopyFlatData[float32](w.store.GetVariable("/" + emaScope + v.Path()).MustValue())
		for j := range avg {
			avg[j] *= correction
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(avg, v.Shape().Dimensions...)); err != nil {
			return err
		}
	}
	err := fn()
	for i, v := range w.vars {
		if serr := v.SetValue(tensors.FromFlatDataAndDimensions(saved[i], v.Shape().Dimensions...)); err == nil {
			err = serr
		}
	}
	return err
}

// withTestWeights runs fn with the weights the model is tested with: the improved recipe's averages,
// or (the course's recipe) the trained weights themselves.
func (m *Model) withTestWeights(fn func() error) error { return m.recipe.withTestWeights(fn) }
