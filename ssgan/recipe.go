package ssgan

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
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
	epoch(ctx context.Context, m *Model, ds *data.Dataset, epoch int, onStep func()) (run.EpochMetrics, error)
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
		return &CourseRecipe{}, nil
	case RecipeImproved:
		return &ImprovedRecipe{}, nil
	}
	return nil, fmt.Errorf("recipe %q: want %s or %s", name, RecipeCourse, RecipeImproved)
}

// AveragedTestWeights says whether a configuration's test uses averaged weights (the improved recipe's).
func (c TrainConfig) AveragedTestWeights() bool {
	r, err := recipeFor(c.Recipe)
	return err == nil && r.averaged()
}

// CourseRecipe is the lesson's: one simultaneous step of both players on each batch (recipe_course.go).
// Model.Course returns a model's; its Step is the only way to run that step.
type CourseRecipe struct {
	m    *Model
	step *model.Exec // Step's graph.
}

func (r *CourseRecipe) compile(m *Model) error {
	var err error
	r.m = m
	r.step = newExec(&err, m.Backend, m.Store, r.stepGraph)
	return err
}

func (*CourseRecipe) prepare(*Model, *data.Dataset) error { return nil }

func (*CourseRecipe) epoch(ctx context.Context, m *Model, ds *data.Dataset, epoch int, onStep func()) (run.EpochMetrics, error) {
	return CourseEpoch(ctx, m, ds, epoch, onStep)
}

func (*CourseRecipe) stepsPerEpoch(n, batch int) int { return (n + batch - 1) / batch } // The last batch is short.

func (*CourseRecipe) averaged() bool                        { return false }
func (*CourseRecipe) withTestWeights(fn func() error) error { return fn() }
func (*CourseRecipe) order() ([]byte, error)                { return nil, nil }
func (*CourseRecipe) restore(*Model, []byte) error          { return nil }
func (*CourseRecipe) reset()                                {}
func (*CourseRecipe) defaults(*TrainConfig)                 {}
func (*CourseRecipe) validate(c TrainConfig) error {
	if c.Model.Arch == ArchMLP || c.Model.Arch == ArchPaper {
		return fmt.Errorf("model %s with recipe %q: the %s networks train with -recipe improved only (their losses and weight averages are that recipe's)", c.Model.Arch, c.Recipe, c.Model.Arch)
	}
	return nil
}

// ImprovedRecipe is Salimans et al.'s (recipe_improved.go). Model.Improved returns a model's; its StepD
// and StepG are the only way to run those steps.
type ImprovedRecipe struct {
	m                         *Model
	dStep, gStep, prepareStep *model.Exec // StepD's, StepG's and prepare's graphs.
	// avg is the averaged discriminator weights the test uses (recipe_improved.go).
	avg *weightAverage
	// batches draws the batches (its state is saved with each checkpoint); nil until the first epoch, and
	// again after Reseed.
	batches  *rand.PCG
	prepared bool
}

func (r *ImprovedRecipe) compile(m *Model) error {
	var err error
	r.m = m
	r.dStep = newExec(&err, m.Backend, m.Store, r.dStepGraph)
	r.gStep = newExec(&err, m.Backend, m.Store, r.gStepGraph)
	r.prepareStep = newExec(&err, m.Backend, m.Store, r.prepareGraph)
	return err
}

func (r *ImprovedRecipe) epoch(ctx context.Context, _ *Model, ds *data.Dataset, epoch int, onStep func()) (run.EpochMetrics, error) {
	return r.trainEpoch(ctx, ds, epoch, onStep)
}

func (*ImprovedRecipe) stepsPerEpoch(n, batch int) int { return n / batch } // Whole batches only.

func (*ImprovedRecipe) averaged() bool { return true }

func (r *ImprovedRecipe) withTestWeights(fn func() error) error {
	if r.avg == nil {
		return fn()
	}
	return r.avg.apply(fn)
}

func (r *ImprovedRecipe) order() ([]byte, error) {
	if r.batches == nil {
		return nil, nil
	}
	return r.batches.MarshalBinary()
}

func (r *ImprovedRecipe) restore(m *Model, order []byte) error {
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

func (r *ImprovedRecipe) reset() { r.batches, r.prepared = nil, false }

func (*ImprovedRecipe) defaults(cfg *TrainConfig) { cfg.LRDecay = 1 } // The reference keeps the learning rate constant.

func (*ImprovedRecipe) validate(c TrainConfig) error {
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

// Course returns the model's recipe when it trains with the course's (its Step trains a batch), and an
// error naming the recipe it trains with otherwise.
func (m *Model) Course() (*CourseRecipe, error) {
	if r, ok := m.recipe.(*CourseRecipe); ok {
		return r, nil
	}
	return nil, fmt.Errorf("the course recipe's step: this model trains with the %s recipe", m.Config.Recipe)
}

// Improved returns the model's recipe when it trains with the improved one (its StepD and StepG train the
// players in turn), and an error naming the recipe it trains with otherwise.
func (m *Model) Improved() (*ImprovedRecipe, error) {
	if r, ok := m.recipe.(*ImprovedRecipe); ok {
		return r, nil
	}
	return nil, fmt.Errorf("the improved recipe's steps: this model trains with the %s recipe", m.Config.Recipe)
}
