package ssgan

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// BenchmarkCourseStepParts says where a course-size SSGAN step's time goes, by timing graphs that do a
// growing part of it on one model: the discriminator's inference pass, the generator's, both losses
// forward (the step's passes without any gradient), the losses with every gradient (the backward passes,
// no update), the whole step (gradients, both Adams and the batch-norm updates), and the labels-only step.
// Differences between neighbours are the cost of what each adds. Compilation happens before the timer.
//
//	GOMLX_BACKEND=xla:cpu go test -run '^$' -bench CourseStepParts -benchtime 20x ./ssgan
func BenchmarkCourseStepParts(b *testing.B) {
	backend := benchBackend(b)
	cfg := DefaultTrainConfig()
	m, batch := benchModel(b, backend, cfg)
	if _, err := m.courseStep(batch); err != nil { // Creates every variable.
		b.Fatal(err)
	}
	args := []any{imagesTensor(batch), tensors.FromFlatDataAndDimensions(batch.Labels, batch.Size),
		tensors.FromFlatDataAndDimensions(batch.Mask, batch.Size)}
	train := BNMode{Dropout: true, BatchStats: true} // As the step's real pass, without the statistics' update.
	losses := func(scope *model.Scope, inputs []*Node) (dLoss, gLoss *Node) {
		dLoss, gLoss, _ = m.Pieces.StepLosses(scope, m.Config, m.Pieces, inputs[0], inputs[1], inputs[2], train)
		return dLoss, gLoss
	}
	forward := model.MustNewExec(backend, m.Store, func(scope *model.Scope, inputs []*Node) []*Node {
		d, g := losses(scope, inputs)
		return []*Node{d, g}
	})
	gradients := model.MustNewExec(backend, m.Store, func(scope *model.Scope, inputs []*Node) []*Node {
		d, g := losses(scope, inputs)
		dVars, gVars, err := m.Pieces.SplitVariables(m.Store)
		if err != nil {
			panic(err)
		}
		total := ScalarZero(d.Graph(), dtypes.Float32)
		for _, pair := range []struct {
			loss *Node
			vars []*model.Variable
		}{{d, dVars}, {g, gVars}} {
			nodes := make([]*Node, len(pair.vars))
			for i, v := range pair.vars {
				nodes[i] = v.NodeValue(d.Graph())
			}
			for _, grad := range Gradient(pair.loss, nodes...) {
				total = Add(total, ReduceAllSum(Square(grad))) // Keeps every gradient in the graph.
			}
		}
		return []*Node{d, g, total}
	})
	sup := cfg
	sup.SupervisedOnly = true
	ms, _ := benchModel(b, backend, sup)
	z := m.Noise(cfg.BatchSize, 1)
	parts := []struct {
		name string
		run  func() error
	}{
		{"1_discriminator_inference", func() error { _, err := m.predict(batch); return err }},
		{"2_generator_inference", func() error { _, err := m.Generate(z); return err }},
		{"3_both_losses_forward", func() error { _, err := forward.Call(args...); return err }},
		{"4_losses_and_gradients", func() error { _, err := gradients.Call(args...); return err }},
		{"5_ssgan_step", func() error { _, err := m.courseStep(batch); return err }},
		{"6_labels_only_step", func() error { _, err := ms.courseStep(batch); return err }},
	}
	for _, p := range parts {
		b.Run(p.name, func(b *testing.B) {
			if err := p.run(); err != nil { // Compiles.
				b.Fatal(err)
			}
			for b.Loop() {
				if err := p.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
