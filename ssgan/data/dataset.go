package data

import (
	"fmt"
	"iter"
	"math/rand/v2"
)

// DatasetOptions says how to cut SVHN into the lesson's train / validation / test sets and which
// training labels the model may see.
type DatasetOptions struct {
	Labels        int     // Number of training images whose label is "known" (the lesson: 1,000).
	FirstN        bool    // Mark the first Labels images (the course's choice) instead of a balanced random pick.
	Seed          uint64  // Seeds the balanced pick.
	ValidFraction float64 // Fraction of the test file held apart as a validation set (the course: 0.5).
	MaxTrain      int     // Use only the first MaxTrain training images (0: all).
	MaxTest       int     // Use only the first MaxTest images of the test set after the split (0: all).
	Synthetic     bool    // Generated digits (SyntheticDigits) at SVHN's sizes instead of the .mat files.
	Dataset       string  // DatasetSVHN ("" means it) or DatasetMNIST.
	// File and Pool describe an experiment's split of one .mat file: its first Pool images are the
	// training pool, the rest the test set (ValidFraction 0). Empty File: the two SVHN files.
	File string
	Pool int
}

// The data sets.
const (
	DatasetSVHN  = "svhn"
	DatasetMNIST = "mnist"
)

// DefaultDatasetOptions returns the lesson's settings, with a balanced label pick.
func DefaultDatasetOptions() DatasetOptions {
	return DatasetOptions{Labels: 1000, Seed: 1, ValidFraction: 0.5}
}

// Validate reports the first bad value, named as the command line's flag for it.
func (o DatasetOptions) Validate() error {
	switch {
	case o.Labels < 0:
		return fmt.Errorf("labels %d: must be >= 0", o.Labels)
	case o.MaxTrain < 0:
		return fmt.Errorf("max_train %d: must be >= 0 (0: all)", o.MaxTrain)
	case o.MaxTest < 0:
		return fmt.Errorf("max_test %d: must be >= 0 (0: all)", o.MaxTest)
	case !(o.ValidFraction >= 0 && o.ValidFraction < 1):
		return fmt.Errorf("validation fraction %g: want 0 <= f < 1", o.ValidFraction)
	case o.Dataset != "" && o.Dataset != DatasetSVHN && o.Dataset != DatasetMNIST:
		return fmt.Errorf("dataset %q: want %s or %s", o.Dataset, DatasetSVHN, DatasetMNIST)
	case o.Pool < 0:
		return fmt.Errorf("pool %d: must be >= 0", o.Pool)
	case o.Pool > 0 && o.File == "":
		return fmt.Errorf("pool %d without a file: the pool is the first images of one .mat file", o.Pool)
	case o.Synthetic && o.Dataset == DatasetMNIST:
		return fmt.Errorf("synthetic digits are SVHN-sized: not with dataset %s", DatasetMNIST)
	}
	return nil
}

// Dataset is the lesson's data: all training images, of which only those with Mask[i] set may use their label.
//
// Semi-supervised learning pretends most labels are unknown: the other training images still teach
// the discriminator what real digits look like, through the real-vs-fake loss.
type Dataset struct {
	Train, Valid, Test *Images
	Mask               []bool // len Train.Len(): the label of Train image i may be used.
}

// NewDataset splits the files as the course does (the test file's first ValidFraction becomes the validation
// set, the rest the test set) and draws the label mask.
func NewDataset(train, test *Images, opt DatasetOptions) (*Dataset, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	train = train.Head(opt.MaxTrain)
	if train.Len() == 0 {
		return nil, fmt.Errorf("training set is empty: nothing to train on")
	}
	valid, testSet, err := SplitTest(test, opt)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Train: train, Valid: valid, Test: testSet}
	mask, err := LabelMask(train.Labels, opt.Labels, opt.FirstN, opt.Seed)
	if err != nil {
		return nil, err
	}
	ds.Mask = mask
	return ds, nil
}

// SplitTest cuts the test file as NewDataset does: its first ValidFraction is the validation set, the rest
// (at most MaxTest images) the test set. Evaluating a checkpoint needs only this, not the training file.
func SplitTest(test *Images, opt DatasetOptions) (valid, testSet *Images, err error) {
	if opt.ValidFraction < 0 || opt.ValidFraction >= 1 {
		return nil, nil, fmt.Errorf("validation fraction %g: want 0 <= f < 1", opt.ValidFraction)
	}
	nValid := int(float64(test.Len()) * opt.ValidFraction)
	rest := make([]int, 0, test.Len()-nValid)
	for i := nValid; i < test.Len(); i++ {
		rest = append(rest, i)
	}
	first := make([]int, nValid)
	for i := range first {
		first[i] = i
	}
	valid, testSet = test.Subset(first), test.Subset(rest).Head(opt.MaxTest)
	if testSet.Len() == 0 {
		return nil, nil, fmt.Errorf("test set is empty (%d test images, validation fraction %g)", test.Len(), opt.ValidFraction)
	}
	return valid, testSet, nil
}

// LabelMask marks n of the given labels as known.
//
// Balanced (firstN false): n/NumClasses images of each class, the remainder spread over the first classes,
// drawn at random with the seed; a class with too few images gives its share to the others.
// The course instead takes the first n in file order, which is unbalanced; firstN reproduces it.
func LabelMask(labels []int32, n int, firstN bool, seed uint64) ([]bool, error) {
	if n < 0 || n > len(labels) {
		return nil, fmt.Errorf("labels: %d requested, the training set has %d images", n, len(labels))
	}
	mask := make([]bool, len(labels))
	if firstN {
		for i := 0; i < n; i++ {
			mask[i] = true
		}
		return mask, nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x55a9))
	byClass := make([][]int, NumClasses)
	for _, i := range rng.Perm(len(labels)) {
		byClass[labels[i]] = append(byClass[labels[i]], i)
	}
	// Round-robin over classes until n are taken: balanced, and robust to small classes.
	taken, round := 0, 0
	for taken < n {
		progress := false
		for c := 0; c < NumClasses && taken < n; c++ {
			if round < len(byClass[c]) {
				mask[byClass[c][round]] = true
				taken++
				progress = true
			}
		}
		if !progress {
			break
		}
		round++
	}
	return mask, nil
}

// Batch is a mini-batch ready for the model: pixels scaled to [-1, 1], NHWC.
type Batch struct {
	Size   int
	Pixels []float32 // Size*32*32*3.
	Labels []int32   // Size.
	Mask   []float32 // Size: 1 where the label may be used (training batches), else nil.
}

// ScalePixel maps a byte 0..255 to [-1, 1], the range of the generator's tanh output.
func ScalePixel(v uint8) float32 { return float32(v)/127.5 - 1 }

// Batches yields the images in batches of batchSize; the last batch is shorter when the size does not
// divide the set. With rng non-nil the order is shuffled. With mask non-nil each batch carries it.
func Batches(im *Images, batchSize int, rng *rand.Rand, mask []bool) iter.Seq[Batch] {
	return func(yield func(Batch) bool) {
		n := im.Len()
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		if rng != nil {
			rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		for start := 0; start < n; start += batchSize {
			end := min(start+batchSize, n)
			b := Batch{Size: end - start, Pixels: make([]float32, (end-start)*ImageValues), Labels: make([]int32, end-start)}
			if mask != nil {
				b.Mask = make([]float32, end-start)
			}
			for k, idx := range order[start:end] {
				src := im.Pixels[idx*ImageValues : (idx+1)*ImageValues]
				dst := b.Pixels[k*ImageValues : (k+1)*ImageValues]
				for p, v := range src {
					dst[p] = ScalePixel(v)
				}
				b.Labels[k] = im.Labels[idx]
				if mask != nil && mask[idx] {
					b.Mask[k] = 1
				}
			}
			if !yield(b) {
				return
			}
		}
	}
}
