package ssgan

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// improvedPlayers is what the improved recipe's loop needs from a model, whatever its networks: the MLPs
// on MNIST (MLPModel) or the course's convolutional networks on SVHN (ConvImprovedModel).
type improvedPlayers interface {
	// gather returns the training images at idx, scaled for the networks, and their labels.
	gather(idx []int) ([]float32, []int32)
	// StepD trains the discriminator on a labelled and an unlabelled batch: the supervised and
	// unsupervised losses and how many labelled images it classified right.
	StepD(xLab []float32, yLab []int32, xUnl []float32) (sup, unsup, correct float64, err error)
	// StepG trains the generator against an unlabelled batch and returns its loss.
	StepG(xUnl []float32) (float64, error)
	// evaluate sets em's test (and validation) accuracy, with the averaged weights.
	evaluate(em *EpochMetrics) error
	// samples returns generated images for the fixed noise, as [n,32,32,3] in [-1,1].
	samples() ([]float32, error)
	// save writes the checkpoint of epoch to dir.
	save(dir string, epoch int) error
}

// trainImproved is the improved recipe's loop. n is the number of training images; labelled lists those
// whose label may be used. An epoch is one pass over the images in unlabelled batches (n / batch steps);
// every step pairs a labelled batch (the labelled images, reshuffled and cycled) with two unlabelled ones,
// one for each player. The learning rate stays constant, as in the reference's first epochs. Writes what
// Train writes to opt.OutDir.
func trainImproved(ctx context.Context, m improvedPlayers, cfg TrainConfig, n int, labelled []int, rng *rand.Rand, opt RunOptions) ([]EpochMetrics, error) {
	switch {
	case len(labelled) == 0:
		return nil, fmt.Errorf("no labelled training images")
	case n < cfg.BatchSize:
		return nil, fmt.Errorf("%d training images: fewer than one batch of %d", n, cfg.BatchSize)
	}
	steps := n / cfg.BatchSize
	var history []EpochMetrics
	for epoch := opt.StartEpoch + 1; epoch <= cfg.Epochs; epoch++ {
		em := EpochMetrics{Epoch: epoch, LearningRate: cfg.LearningRate}
		unl, unl2 := rng.Perm(n), rng.Perm(n)
		lab := labelledOrder(rng, labelled, steps*cfg.BatchSize)
		var correct float64
		start := time.Now()
		for s := 0; s < steps; s++ {
			if err := ctx.Err(); err != nil {
				return history, err
			}
			b := s * cfg.BatchSize
			xLab, yLab := m.gather(lab[b : b+cfg.BatchSize])
			xUnl, _ := m.gather(unl[b : b+cfg.BatchSize])
			sup, unsup, right, err := m.StepD(xLab, yLab, xUnl)
			if err != nil {
				return history, fmt.Errorf("epoch %d step %d: %w", epoch, s+1, err)
			}
			gLoss := 0.0
			if !cfg.SupervisedOnly {
				xUnl2, _ := m.gather(unl2[b : b+cfg.BatchSize])
				if gLoss, err = m.StepG(xUnl2); err != nil {
					return history, fmt.Errorf("epoch %d step %d: %w", epoch, s+1, err)
				}
			}
			if NotFinite(sup) || NotFinite(unsup) || NotFinite(gLoss) {
				return history, fmt.Errorf("epoch %d step %d: loss is not finite (supervised %g, unsupervised %g, "+
					"generator %g); stopping: try a lower learning rate", epoch, s+1, sup, unsup, gLoss)
			}
			em.Steps++
			em.DLoss += sup + cfg.UnlabelledWeight*unsup
			em.GLoss += gLoss
			correct += right
		}
		em.EpochSeconds = time.Since(start).Seconds()
		em.DLoss /= float64(em.Steps)
		em.GLoss /= float64(em.Steps)
		em.StepSeconds = em.EpochSeconds / float64(em.Steps)
		em.StepsPerSecond = 1 / em.StepSeconds
		em.TrainAcc = correct / float64(em.Steps*cfg.BatchSize)
		if err := m.evaluate(&em); err != nil {
			return history, err
		}
		var samples []float32
		if !cfg.SupervisedOnly && (epoch%opt.SampleEvery == 0 || epoch == cfg.Epochs) {
			var err error
			if samples, err = m.samples(); err != nil {
				return history, err
			}
			em.SampleNeighbourDiff, em.SampleSpread = NeighbourDifference(samples), SampleSpread(samples)
		}
		history = append(history, em)
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, "Epoch %d/%d  train acc %.4f  test acc %.4f  d_loss %.4f  g_loss %.4f  step %.3fs  epoch %.1fs\n",
				epoch, cfg.Epochs, em.TrainAcc, em.TestAcc, em.DLoss, em.GLoss, em.StepSeconds, em.EpochSeconds)
		}
		if opt.OutDir != "" {
			if err := writeRunOutputs(opt, em, history, samples, cfg.Model.HasDropout() && cfg.Model.Arch != ArchMLP,
				func() error { return m.save(opt.OutDir, em.Epoch) }); err != nil {
				return history, err
			}
		}
		if opt.OnEpoch != nil {
			if err := opt.OnEpoch(em); err != nil {
				return history, err
			}
		}
	}
	return history, nil
}

// labelledIndices lists the images whose label may be used.
func labelledIndices(mask []bool) []int {
	var out []int
	for i, known := range mask {
		if known {
			out = append(out, i)
		}
	}
	return out
}

// labelledOrder returns n indices that go round the labelled images again and again, each round in a
// new random order: every step gets a labelled batch of its own.
func labelledOrder(rng *rand.Rand, labelled []int, n int) []int {
	out := make([]int, 0, n+len(labelled))
	for len(out) < n {
		for _, k := range rng.Perm(len(labelled)) {
			out = append(out, labelled[k])
		}
	}
	return out[:n]
}
