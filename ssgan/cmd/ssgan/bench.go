package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
)

// bench times training steps on one generated batch. The first step compiles the graph and initialises
// the variables: what it takes beyond a later step is reported as their cost.
func bench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := ssgan.DefaultTrainConfig()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	modelFlags(fs, &cfg)
	seedFlag(fs, &cfg)
	steps := fs.Int("steps", 5, "timed steps")
	fs.BoolVar(&cfg.SupervisedOnly, "supervised_only", false, "time the labels-only baseline's step (no generator)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *steps < 1 {
		return usageError{fmt.Errorf("-steps %d: must be >= 1", *steps)}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	m, err := newModel(cfg, stderr)
	if err != nil {
		return err
	}
	backend := m.Backend
	im := data.SyntheticDigits(cfg.BatchSize, cfg.Seed)
	mask, err := data.LabelMask(im.Labels, cfg.BatchSize/8, false, cfg.Seed)
	if err != nil {
		return err
	}
	var batch data.Batch
	for b := range data.Batches(im, cfg.BatchSize, rand.New(rand.NewPCG(cfg.Seed, 0)), mask) {
		batch = b
	}
	course, err := m.Course()
	if err != nil {
		return err
	}
	start := time.Now()
	if _, err := untilDone(ctx, func() (ssgan.StepResult, error) { return course.Step(batch) }); err != nil {
		return err
	}
	first := time.Since(start)
	start = time.Now()
	for i := 0; i < *steps; i++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted after %d of %d timed steps", i, *steps)
		}
		if _, err := course.Step(batch); err != nil {
			return err
		}
	}
	per := time.Since(start).Seconds() / float64(*steps)
	what := "SSGAN D+G step"
	if cfg.SupervisedOnly {
		what = "supervised-only step"
	}
	fmt.Fprintf(stdout, "ssgan bench: backend %s, %s, d_size %d, g_size %d, batch %d: first step %.2fs, of "+
		"which compilation and initialisation ≈ %.2fs; then %.3fs/step, %.2f steps/s, %.0f images/s; one %d-image SVHN epoch ≈ %.1f min\n",
		engine.DescribeBackend(backend), what, cfg.Model.DSize, cfg.Model.GSize, cfg.BatchSize, first.Seconds(),
		first.Seconds()-per, per, 1/per, float64(cfg.BatchSize)/per, data.SVHNTrainSize,
		per*float64((data.SVHNTrainSize+cfg.BatchSize-1)/cfg.BatchSize)/60)
	return nil
}
