package notebook

import (
	"fmt"
	"time"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// CourseEstimate times the course's network on this machine, a training step with the GAN (batch 128) and
// the prediction of one batch, and prints how long the course setting's four runs of 25 epochs and their
// evaluations would take here. ratios are the step times of the other three runs (labels alone, the
// paper's procedure, its labels alone) relative to the first. Each call's first run builds and compiles
// its graph; the next three are timed.
//
// In the quick setting it prints the estimate this function made on a 2-core CPU instead: compiling the
// course's step takes about 10 s there (ssgan/bench/results/speed/xla_compile_options.md), a wait the
// quick run itself does not need.
func CourseEstimate(ratios []float64) {
	fmt.Printf("backend: %s\n", Backend().Description())
	switch {
	case Smoke(): // The tests: no time to spend compiling the course's network.
		fmt.Println("the course setting is not timed in the project's smoke tests")
		return
	case Setting() == Quick:
		fmt.Printf("the course setting's four runs of 25 epochs with their evaluations: about %s on a %s "+
			"(this cell's estimate there, %s); SSGAN_SETTING=course times the course's network on this machine first\n",
			recordedEstimate.time, recordedEstimate.cpu, recordedEstimate.source)
		return
	}
	cfg := ssgan.DefaultTrainConfig()
	m := Must(ssgan.NewModel(Backend(), cfg, ssgan.ReferencePieces()))
	im := data.SyntheticDigits(cfg.BatchSize, 1)
	mask, _ := data.LabelMask(im.Labels, 2, false, 1)
	var b data.Batch
	for b = range data.Batches(im, cfg.BatchSize, nil, mask) {
	}
	timed := func(run func() error) float64 {
		var start time.Time
		for i := range 4 {
			if i == 1 {
				start = time.Now()
			}
			Check(run())
		}
		return time.Since(start).Seconds() / 3
	}
	course := Must(m.Course())
	step := timed(func() error { _, err := course.Step(b); return err })
	predict := timed(func() error { _, err := m.Predict(b); return err })
	steps := float64((data.SVHNTrainSize + cfg.BatchSize - 1) / cfg.BatchSize)
	train := steps * step // One epoch of the course's procedure with the GAN.
	for _, r := range ratios {
		train += steps * step * r
	}
	// After every epoch each run scores the 26,032 test and validation images and refreshes its batch-norm
	// statistics on 20 batches.
	eval := 4 * float64((data.SVHNTestSize+cfg.BatchSize-1)/cfg.BatchSize+cfg.BNBatches) * predict
	total := float64(cfg.Epochs) * (train + eval)
	fmt.Printf("the course's network here: %.2f s per training step with the GAN, %.3f s to classify a batch of 128\n", step, predict)
	fmt.Printf("the course setting's four runs of 25 epochs with their evaluations: about %.0f minutes (%.1f hours)\n", total/60, total/3600)
}

// recordedEstimate is what CourseEstimate printed in a recorded run of the solution notebook, for the quick
// setting, which does not time the course's network itself.
var recordedEstimate = struct{ time, cpu, source string }{
	time:   "3.3 hours",
	cpu:    "2-core AMD EPYC with XLA's CPU plugin",
	source: "2026-12-07, ssgan/bench/results/speed/notebook_quick_timing.md",
}
