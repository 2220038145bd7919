package data

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
)

// SVHN's sizes, which SyntheticDigits mimics for speed runs.
const (
	SVHNTrainSize = 73257
	SVHNTestSize  = 26032
)

// LoadData returns the train and test images the options ask for:
//   - generated digits (opt.Synthetic), only up to MaxTrain / twice MaxTest when those are set;
//   - one SVHN-layout file cut in two (opt.File: its first opt.Pool images train, the rest test);
//   - MNIST's four files in dir (opt.Dataset mnist);
//   - SVHN's two files in dir.
//
// With download set, missing SVHN or MNIST files are downloaded into dir first (a progress bar on progress).
func LoadData(ctx context.Context, dir string, opt DatasetOptions, download bool, progress io.Writer) (train, test *Images, err error) {
	switch {
	case opt.Synthetic:
		nTrain, nTest := SVHNTrainSize, SVHNTestSize
		if opt.MaxTrain > 0 {
			nTrain = min(nTrain, opt.MaxTrain)
		}
		if opt.MaxTest > 0 && opt.ValidFraction < 1 {
			nTest = min(nTest, int(float64(opt.MaxTest)/(1-opt.ValidFraction))+1)
		}
		return SyntheticDigits(nTrain, opt.Seed), SyntheticDigits(nTest, opt.Seed+1000), nil
	case opt.File != "":
		im, err := LoadSVHN(opt.File)
		if err != nil {
			return nil, nil, err
		}
		if opt.Pool < 1 || opt.Pool >= im.Len() {
			return nil, nil, fmt.Errorf("%s: %d images: the training pool (pool %d) must leave some to test on", opt.File, im.Len(), opt.Pool)
		}
		rest := make([]int, 0, im.Len()-opt.Pool)
		for i := opt.Pool; i < im.Len(); i++ {
			rest = append(rest, i)
		}
		return im.Head(opt.Pool), im.Subset(rest), nil
	case opt.Dataset == DatasetMNIST:
		if download {
			if err := EnsureMNIST(ctx, dir, progress); err != nil {
				return nil, nil, err
			}
		}
		return LoadMNIST(dir)
	}
	if download {
		if err := EnsureSVHN(ctx, dir, progress); err != nil {
			return nil, nil, err
		}
	}
	return LoadSVHNDir(dir)
}

// LoadDataset is LoadData followed by NewDataset: the split and the label mask; or, for a folder of
// images (opt.Dataset DatasetFolder), LoadFolder.
func LoadDataset(ctx context.Context, dir string, opt DatasetOptions, download bool, progress io.Writer) (*Dataset, error) {
	if opt.Dataset == DatasetFolder {
		return LoadFolder(ctx, opt, progress)
	}
	train, test, err := LoadData(ctx, dir, opt, download, progress)
	if err != nil {
		return nil, err
	}
	return NewDataset(train, test, opt)
}

// LoadTestSet loads only what evaluating a checkpoint scores: the test split that opt describes. For
// SVHN's files in dir the training file is not read.
func LoadTestSet(ctx context.Context, dir string, opt DatasetOptions) (*Images, error) {
	if opt.Dataset == DatasetFolder {
		return LoadFolderTest(ctx, opt, nil)
	}
	var test *Images
	if opt.Synthetic || opt.File != "" || opt.Dataset == DatasetMNIST {
		_, t, err := LoadData(ctx, dir, opt, false, nil)
		if err != nil {
			return nil, err
		}
		test = t
	} else {
		t, err := LoadSVHN(filepath.Join(dir, TestFile))
		if err != nil {
			return nil, err
		}
		test = t
	}
	_, testSet, err := SplitTest(test, opt)
	return testSet, err
}
