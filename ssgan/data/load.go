package data

import (
	"context"
	"io"
)

// SVHN's sizes, which SyntheticDigits mimics for speed runs.
const (
	SVHNTrainSize = 73257
	SVHNTestSize  = 26032
)

// LoadData returns the train and test images the options ask for: generated digits (opt.Synthetic), or
// the SVHN files in dir, downloaded first (with a progress bar on progress) when download is true and
// they are missing. Large synthetic sets are generated only up to MaxTrain / twice MaxTest.
func LoadData(ctx context.Context, dir string, opt DatasetOptions, download bool, progress io.Writer) (train, test *Images, err error) {
	if opt.Synthetic {
		nTrain, nTest := SVHNTrainSize, SVHNTestSize
		if opt.MaxTrain > 0 {
			nTrain = min(nTrain, opt.MaxTrain)
		}
		if opt.MaxTest > 0 && opt.ValidFraction < 1 {
			nTest = min(nTest, int(float64(opt.MaxTest)/(1-opt.ValidFraction))+1)
		}
		return SyntheticDigits(nTrain, opt.Seed), SyntheticDigits(nTest, opt.Seed+1000), nil
	}
	if download {
		if err := EnsureSVHN(ctx, dir, progress); err != nil {
			return nil, nil, err
		}
	}
	return LoadSVHNDir(dir)
}
