package ssgan_test

import (
	"fmt"
	"math"
	"os"

	"github.com/gomlx/compute"
	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// With the extra "fake" class the discriminator has one logit more than there are classes; without it,
// one per class and a fixed fake logit of 0. SVHN's ten digits, and a folder of three classes:
func ExampleNumLogits() {
	fmt.Println(ssgan.NumLogits(ssgan.NumClasses, false), ssgan.NumLogits(ssgan.NumClasses, true), ssgan.NumLogits(3, true))
	// Output: 10 11 4
}

// One simultaneous training step of both players on a tiny model, on GoMLX's pure-Go backend. The step
// is the course recipe's: a model of the improved recipe has no Course (its steps are StepD and StepG).
func ExampleCourseRecipe_Step() {
	backend, err := compute.NewWithConfig("go")
	if err != nil {
		panic(err)
	}
	cfg := ssgan.DefaultTrainConfig()
	cfg.Model.DSize, cfg.Model.GSize, cfg.Model.ZDim, cfg.BatchSize = 4, 2, 8, 16
	m, err := ssgan.NewModel(backend, cfg, ssgan.ReferencePieces())
	if err != nil {
		panic(err)
	}
	course, err := m.Course()
	if err != nil {
		panic(err)
	}
	im := data.SyntheticDigits(16, 1)
	mask, _ := data.LabelMask(im.Labels, 4, false, 1) // 4 of the 16 labels are "known".
	for b := range data.Batches(im, 16, nil, mask) {
		r, err := course.Step(b)
		if err != nil {
			panic(err)
		}
		fmt.Printf("labelled images in the batch: %.0f; losses finite: %v\n", r.Labelled, !math.IsNaN(r.DLoss+r.GLoss))
	}
	d, g, _ := ssgan.SplitVariables(m.Store)
	fmt.Printf("trainable variables: discriminator %d, generator %d\n", len(d), len(g))
	// Output:
	// labelled images in the batch: 4; losses finite: true
	// trainable variables: discriminator 18, generator 12
}

// A trained model's checkpoint answers with a probability for each digit, whatever wrote it (here one
// step of a tiny model; LoadCheckpoint rebuilds the course's networks and the improved recipe's MLPs alike).
func ExampleLoadCheckpoint() {
	backend, err := compute.NewWithConfig("go")
	if err != nil {
		panic(err)
	}
	cfg := ssgan.DefaultTrainConfig()
	cfg.Model.DSize, cfg.Model.GSize, cfg.Model.ZDim, cfg.BatchSize = 4, 2, 8, 16
	m, err := ssgan.NewModel(backend, cfg, ssgan.ReferencePieces())
	if err != nil {
		panic(err)
	}
	im := data.SyntheticDigits(16, 1)
	mask, _ := data.LabelMask(im.Labels, 16, false, 1)
	course, err := m.Course()
	if err != nil {
		panic(err)
	}
	for b := range data.Batches(im, 16, nil, mask) {
		if _, err := course.Step(b); err != nil {
			panic(err)
		}
	}
	dir, err := os.MkdirTemp("", "ssgan-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := m.SaveCheckpoint(dir, 1); err != nil {
		panic(err)
	}
	loaded, _, err := ssgan.LoadCheckpoint(backend, dir)
	if err != nil {
		panic(err)
	}
	probs, err := loaded.Probabilities(im.Image(0), 1) // The first image: 32x32 RGB bytes.
	if err != nil {
		panic(err)
	}
	sum := 0.0
	for _, v := range probs[0] {
		sum += float64(v)
	}
	fmt.Printf("input %s; %d probabilities summing to %.2f\n", loaded.InputShape(), len(probs[0]), sum)
	// Output: input 32x32x3; 10 probabilities summing to 1.00
}
