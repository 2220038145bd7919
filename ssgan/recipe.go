package ssgan

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// A recipe is a training procedure, and the one owner of what only it needs: the step graphs it compiles,
// how an epoch walks the data, what it prepares before its first epoch, which weights its test uses
// (the improved recipe's averages) and what a checkpoint saves beyond the variables (its batch order), its
// defaults and the settings it refuses. Everything else (prediction, evaluation, samples, checkpoints,
// the Train loop) is the same for every recipe and lives on Model. recipeFor is the one place that maps
// TrainConfig.Recipe to one.
type recipe interface {
	// compile creates the recipe's step executables for m (XLA compiles them on first use).
	compile(m *Model) error
	// prepare readies the first epoch on ds; it does nothing once done (or restored from a checkpoint).
	prepare(m *Model, ds *data.Dataset) error
	// epoch runs one epoch's steps.
	epoch(ctx context.Context, m *Model, ds *data.Dataset, epoch int, onStep func()) (EpochMetrics, error)
	// stepsPerEpoch is the number of steps an epoch takes on n training images.
	stepsPerEpoch(n, batch int) int
	// averaged says whether the test uses averaged weights; withTestWeights runs fn with them in place.
	averaged() bool
	withTestWeights(fn func() error) error
	// order is what a checkpoint saves beyond the variables (the batch order, as bytes; nil if none);
	// restore brings it back, and the first-epoch set-up with it.
	order() ([]byte, error)
	restore(m *Model, order []byte) error
	// reset forgets the first-epoch set-up (Model.Reseed).
	reset()
	// defaults adjusts DefaultConfig's settings for this recipe; validate refuses what it cannot train.
	defaults(cfg *TrainConfig)
	validate(cfg TrainConfig) error
}

// recipeFor returns the recipe a configuration names ("" is the course's), or an error naming the flag.
func recipeFor(name string) (recipe, error) {
	switch name {
	case RecipeCourse, "":
		return &courseRecipe{}, nil
	case RecipeImproved:
		return &improvedRecipe{}, nil
	}
	return nil, fmt.Errorf("recipe %q: want %s or %s", name, RecipeCourse, RecipeImproved)
}

// AveragedTestWeights says whether a configuration's test uses averaged weights (the improved recipe's).
func (c TrainConfig) AveragedTestWeights() bool {
	r, err := recipeFor(c.Recipe)
	return err == nil && r.averaged()
}

// courseRecipe is the lesson's: one simultaneous step of both players on each batch (recipe_course.go).
type courseRecipe struct {
	step *model.Exec // Model.CourseStep's graph.
}

func (r *courseRecipe) compile(m *Model) error {
	var err error
	r.step = newExec(&err, m.Backend, m.Store, m.stepGraph)
	return err
}

func (*courseRecipe) prepare(*Model, *data.Dataset) error { return nil }

func (*courseRecipe) epoch(ctx context.Context, m *Model, ds *data.Dataset, epoch int, onStep func()) (EpochMetrics, error) {
	return CourseEpoch(ctx, m, ds, epoch, onStep)
}

func (*courseRecipe) stepsPerEpoch(n, batch int) int { return (n + batch - 1) / batch } // The last batch is short.

func (*courseRecipe) averaged() bool                        { return false }
func (*courseRecipe) withTestWeights(fn func() error) error { return fn() }
func (*courseRecipe) order() ([]byte, error)                { return nil, nil }
func (*courseRecipe) restore(*Model, []byte) error          { return nil }
func (*courseRecipe) reset()                                {}
func (*courseRecipe) defaults(*TrainConfig)                 {}
func (*courseRecipe) validate(c TrainConfig) error {
	if c.Model.Arch == ArchMLP || c.Model.Arch == ArchPaper {
		return fmt.Errorf("model %s with recipe %q: the %s networks train with -recipe improved only (their losses and weight averages are that recipe's)", c.Model.Arch, c.Recipe, c.Model.Arch)
	}
	return nil
}

// improvedRecipe is Salimans et al.'s (recipe_improved.go).
type improvedRecipe struct {
	dStep, gStep, init *model.Exec // Model.StepD's, Model.StepG's and the first epoch's set-up graphs.
	// avg is the averaged discriminator weights the test uses (average.go).
	avg *weightAverage
	// batches draws the batches (its state is saved with each checkpoint); nil until the first epoch, and
	// again after Reseed.
	batches  *rand.PCG
	prepared bool
}

func (r *improvedRecipe) compile(m *Model) error {
	var err error
	r.dStep = newExec(&err, m.Backend, m.Store, m.dStepGraph)
	r.gStep = newExec(&err, m.Backend, m.Store, m.gStepGraph)
	r.init = newExec(&err, m.Backend, m.Store, m.initGraph)
	return err
}

func (r *improvedRecipe) prepare(m *Model, ds *data.Dataset) error {
	if r.prepared {
		return nil
	}
	r.prepared = true
	return r.prepareImproved(m, ds)
}

func (*improvedRecipe) epoch(ctx context.Context, m *Model, ds *data.Dataset, epoch int, onStep func()) (EpochMetrics, error) {
	return improvedEpoch(ctx, m, ds, epoch, onStep)
}

func (*improvedRecipe) stepsPerEpoch(n, batch int) int { return n / batch } // Whole batches only.

func (*improvedRecipe) averaged() bool { return true }

func (r *improvedRecipe) withTestWeights(fn func() error) error {
	if r.avg == nil {
		return fn()
	}
	return r.avg.apply(fn)
}

func (r *improvedRecipe) order() ([]byte, error) {
	if r.batches == nil {
		return nil, nil
	}
	return r.batches.MarshalBinary()
}

func (r *improvedRecipe) restore(m *Model, order []byte) error {
	r.prepared = true
	r.avg = listWeights(m.Store, m.Config.EMADecay, false)
	if len(order) > 0 {
		r.batches = &rand.PCG{}
		if err := r.batches.UnmarshalBinary(order); err != nil {
			return fmt.Errorf("restore the batch order: %w", err)
		}
	}
	return nil
}

func (r *improvedRecipe) reset() { r.batches, r.prepared = nil, false }

func (*improvedRecipe) defaults(cfg *TrainConfig) { cfg.LRDecay = 1 } // The reference keeps the learning rate constant.

func (*improvedRecipe) validate(c TrainConfig) error {
	switch {
	case c.Model.ExtraClass:
		return fmt.Errorf("extra_class with recipe improved: its real-vs-fake logit is the log-sum-exp of the 10 class logits")
	case c.LRDecay != 1:
		return fmt.Errorf("learning-rate decay %g with recipe improved: that recipe keeps its learning rate constant (decay 1)", c.LRDecay)
	case !(c.EMADecay >= 0 && c.EMADecay < 1):
		return fmt.Errorf("ema_decay %g: must be in [0, 1)", c.EMADecay)
	}
	return nil
}
