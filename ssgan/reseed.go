package ssgan

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// Reseed puts the model back where NewModel with this seed would start it: every variable (the weights,
// both Adam states, the learning rates, the batch-norm statistics) initialised again from the seed. The
// compiled graphs stay, so a run after Reseed starts training at once, where a new Model would first
// spend seconds compiling (about 7 s at the course's size on XLA CPU). experiment reseeds one model per
// configuration between its seeds.
//
// The variables are initialised in the order they were created, from a generator seeded the same way, so
// a reseeded model trains exactly as a new one with that seed (TestReseedTrainsAsANewModel).
func (m *Model) Reseed(seed uint64) error { return reinitialize(m.Backend, m.Store, &m.Config, seed) }

// Reseed puts the model back where NewConvImprovedModel with this seed and its Initialize would start it,
// keeping its compiled graphs: as Model.Reseed, and the weight averages back to zero.
func (m *ConvImprovedModel) Reseed(seed uint64) error {
	if m.avg == nil {
		return fmt.Errorf("reseeding: the model was never initialised")
	}
	return reinitialize(m.Backend, m.Store, &m.Config, seed)
}

// Reseed puts the model back where NewMLPModel with this seed would start it, keeping its compiled graphs:
// as Model.Reseed, the weight averages back to zero, and the data-dependent initialisation to be redone
// (TrainMLP does it, on a batch the seed picks).
func (m *MLPModel) Reseed(seed uint64) error {
	if !m.initialised {
		return fmt.Errorf("reseeding: the model was never initialised")
	}
	if err := reinitialize(m.Backend, m.Store, &m.Config, seed); err != nil {
		return err
	}
	m.initialised = false
	return nil
}

// reinitialize drops every variable's value but the generator's state, seeds the generator, runs the
// variables' initialisers again and records seed in cfg. Some variables are created with a value instead of
// an initialiser: GoMLX's global step count (back to 0), each optimizer's learning rate (back to
// cfg.LearningRate) and the improved recipe's weight averages and their step count (back to 0).
func reinitialize(backend compute.Backend, store *model.Store, cfg *TrainConfig, seed uint64) error {
	for v := range store.IterVariables() {
		var err error
		switch v.Name() {
		case model.RNGStateVariableName:
			continue
		case optimizer.GlobalStepVariableName:
			err = v.SetValue(tensors.FromScalar(int64(0)))
		case optimizer.ParamLearningRate:
			var t *tensors.Tensor
			if t, err = tensors.FromAnyValue(shapes.CastAsDType(cfg.LearningRate, v.Shape().DType)); err == nil {
				err = v.SetValue(t)
			}
		default:
			if strings.HasPrefix(v.Path(), "/"+emaScope+"/") {
				err = v.SetValue(tensors.FromShape(v.Shape()))
			} else {
				err = v.Reset()
			}
		}
		if err != nil {
			return fmt.Errorf("reseeding: variable %s: %w", v.Path(), err)
		}
	}
	if err := store.SetRNGStateFromSeed(int64(seed)); err != nil {
		return fmt.Errorf("reseeding: %w", err)
	}
	if err := store.InitializeVariables(backend, nil); err != nil {
		return fmt.Errorf("reseeding: %w", err)
	}
	cfg.Seed = seed
	return nil
}
