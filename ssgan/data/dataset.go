package data

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
)

// DatasetOptions says which data set to load, how to cut it into train / validation / test sets, and which
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
	// Dir, with Dataset DatasetFolder, is a folder of images (folder.go): labelled ones in
	// Dir/train/<class>/, unlabelled ones in Dir/unlabelled/, optionally Dir/test/<class>/ and
	// Dir/valid/<class>/. For a folder Labels 0 means every labelled image.
	Dir string `json:",omitempty"`
	// Image is the shape folder images are resized to (zero: SVHN's 32x32x3).
	Image Shape `json:",omitempty"`
	// HoldOut is the fraction of each class's labelled images held apart as the test set of a folder
	// without Dir/test (seeded by Seed).
	HoldOut float64 `json:",omitempty"`
	// SkipBad skips (and names) the files of a folder that are not images, instead of refusing the folder.
	SkipBad bool `json:",omitempty"`
	// MaxPixels refuses a folder image whose header declares more pixels (0: MaxImagePixels).
	MaxPixels int64 `json:",omitempty"`
}

// FolderShape is the shape a folder's images are resized to: Image, or SVHN's 32x32x3 when unset.
func (o DatasetOptions) FolderShape() Shape {
	if o.Image == (Shape{}) {
		return SVHNShape
	}
	return o.Image
}

// The data sets.
const (
	DatasetSVHN   = "svhn"
	DatasetMNIST  = "mnist"
	DatasetFolder = "folder" // Your own images: a folder of class folders (LoadFolder).
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
	case o.Labels == 0 && o.Dataset != DatasetFolder:
		return fmt.Errorf("labels 0: with no labelled image the classifier has nothing to learn the classes from (0 means every label only for a folder of images, -data_dir)")
	case o.MaxTrain < 0:
		return fmt.Errorf("max_train %d: must be >= 0 (0: all)", o.MaxTrain)
	case o.MaxTest < 0:
		return fmt.Errorf("max_test %d: must be >= 0 (0: all)", o.MaxTest)
	case !(o.ValidFraction >= 0 && o.ValidFraction < 1):
		return fmt.Errorf("validation fraction %g: want 0 <= f < 1", o.ValidFraction)
	case o.Dataset != "" && o.Dataset != DatasetSVHN && o.Dataset != DatasetMNIST && o.Dataset != DatasetFolder:
		return fmt.Errorf("dataset %q: want %s or %s (or a folder of images: -data_dir)", o.Dataset, DatasetSVHN, DatasetMNIST)
	case o.Dataset == DatasetFolder && o.Dir == "":
		return fmt.Errorf("a folder data set needs its folder (-data_dir)")
	case o.Dir != "" && o.Dataset != DatasetFolder:
		return fmt.Errorf("data_dir with dataset %s: a folder of images is its own data set (leave -dataset out)", o.Dataset)
	case o.Dataset == DatasetFolder && (o.MaxTrain > 0 || o.MaxTest > 0):
		return fmt.Errorf("max_train or max_test with data_dir: a folder's images are the files in it (move some out instead)")
	case o.Dataset == DatasetFolder && (o.Synthetic || o.File != ""):
		return fmt.Errorf("data_dir with synthetic or data_file: choose one source of images")
	case o.Dataset == DatasetFolder && !(o.HoldOut > 0 && o.HoldOut < 1):
		return fmt.Errorf("hold_out %g: want 0 < f < 1 (the part of each class's labelled images held apart to test on when %s has no test folder)", o.HoldOut, o.Dir)
	case o.MaxPixels < 0:
		return fmt.Errorf("max_pixels %d: must be >= 0 (0: %d)", o.MaxPixels, MaxImagePixels)
	case o.Pool < 0:
		return fmt.Errorf("pool %d: must be >= 0", o.Pool)
	case o.Pool > 0 && o.File == "":
		return fmt.Errorf("pool %d without a file: the pool is the first images of one .mat file", o.Pool)
	case o.Synthetic && o.Dataset == DatasetMNIST:
		return fmt.Errorf("synthetic digits are SVHN-sized: not with dataset %s", DatasetMNIST)
	case o.File != "" && o.Dataset == DatasetMNIST:
		return fmt.Errorf("a single .mat file (data_file) is SVHN's layout: not with dataset %s", DatasetMNIST)
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
	// Classes names the classes in label order (a folder's class folders); nil: the digits 0..9.
	Classes []string
	// ValidFromTrain says the validation images are training images whose labels training never uses
	// (the data set has no validation split of its own, as MNIST's official split or an experiment's).
	ValidFromTrain bool
	// TestHeldOut says the test images were held apart from a folder's labelled images (it has no test/).
	TestHeldOut bool
}

// TrainValidSize is how many unlabelled training images score the validation accuracy (which picks
// best.ssgan) when a data set has no validation split of its own.
const TrainValidSize = 2000

// NewDataset splits the files (SplitTest: the test file's last ValidFraction becomes the validation set,
// the rest the test set, as in the course) and draws the label mask. Without a validation split, up to TrainValidSize unlabelled
// training images (a seeded pick) are scored as the validation set: they still train as unlabelled
// images, but their labels are only ever compared with predictions, never trained on.
func NewDataset(train, test *Images, opt DatasetOptions) (*Dataset, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if train.Shape != test.Shape {
		return nil, fmt.Errorf("training images are %s but test images %s", train.Shape, test.Shape)
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
	if valid.Len() == 0 {
		var unlabelled []int
		for _, i := range rand.New(rand.NewPCG(opt.Seed, 0x7a1d)).Perm(train.Len()) {
			if !mask[i] && len(unlabelled) < TrainValidSize {
				unlabelled = append(unlabelled, i)
			}
		}
		ds.Valid, ds.ValidFromTrain = train.Subset(unlabelled), true
	}
	return ds, nil
}

// SplitTest cuts the test file as the course does: its first 1 - ValidFraction is the test set (at most
// MaxTest images), the rest the validation set. Evaluating a checkpoint needs only this, not the training
// file.
func SplitTest(test *Images, opt DatasetOptions) (valid, testSet *Images, err error) {
	if opt.ValidFraction < 0 || opt.ValidFraction >= 1 {
		return nil, nil, fmt.Errorf("validation fraction %g: want 0 <= f < 1", opt.ValidFraction)
	}
	nTest := int(float64(test.Len()) * (1 - opt.ValidFraction))
	first := make([]int, nTest)
	for i := range first {
		first[i] = i
	}
	rest := make([]int, 0, test.Len()-nTest)
	for i := nTest; i < test.Len(); i++ {
		rest = append(rest, i)
	}
	testSet, valid = test.Subset(first).Head(opt.MaxTest), test.Subset(rest)
	if testSet.Len() == 0 {
		return nil, nil, fmt.Errorf("test set is empty (%d test images, validation fraction %g)", test.Len(), opt.ValidFraction)
	}
	return valid, testSet, nil
}

// LabelMask marks n of the given labels as known.
//
// Balanced (firstN false): n/K images of each of the K classes, the remainder spread over the first classes,
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
	k := 0
	for _, l := range labels {
		k = max(k, int(l)+1)
	}
	byClass := make([][]int, k)
	for _, i := range rng.Perm(len(labels)) {
		byClass[labels[i]] = append(byClass[labels[i]], i)
	}
	// Round-robin over classes until n are taken: balanced, and robust to small classes.
	taken, round := 0, 0
	for taken < n {
		progress := false
		for c := 0; c < k && taken < n; c++ {
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

// Batch is a mini-batch ready for the model: pixels as floats in the network's Range, NHWC.
type Batch struct {
	Shape            // Of one image.
	Size   int       // Images in the batch.
	Pixels []float32 // Size*Height*Width*Channels.
	Labels []int32   // Size.
	Mask   []float32 // Size: 1 where the label may be used (training batches), else nil.
	Index  []int     // Size: each image's index in the set it was gathered from.
}

// Range is how a network reads pixel bytes as floats.
type Range int

const (
	// Signed maps 0..255 to [-1, 1]: the course's networks, whose generator ends in tanh.
	Signed Range = iota
	// Unit maps 0..255 to [0, 1]: the improved recipe's MLPs, whose generator ends in a sigmoid.
	Unit
)

// Scale maps one byte into the range.
func (r Range) Scale(v uint8) float32 {
	if r == Unit {
		return float32(v) / 255
	}
	return ScalePixel(v)
}

// ScalePixel maps a byte 0..255 to [-1, 1], the range of the generator's tanh output.
func ScalePixel(v uint8) float32 { return float32(v)/127.5 - 1 }

// Gather builds the batch of the images at idx, scaled into r; with mask non-nil it carries the mask.
func (im *Images) Gather(idx []int, mask []bool, r Range) Batch {
	v := im.Values()
	b := Batch{Shape: im.Shape, Size: len(idx), Pixels: make([]float32, len(idx)*v), Labels: make([]int32, len(idx)),
		Index: slices.Clone(idx)}
	if mask != nil {
		b.Mask = make([]float32, len(idx))
	}
	for k, i := range idx {
		dst := b.Pixels[k*v : (k+1)*v]
		for p, x := range im.Image(i) {
			dst[p] = r.Scale(x)
		}
		b.Labels[k] = im.Labels[i]
		if mask != nil && mask[i] {
			b.Mask[k] = 1
		}
	}
	return b
}

// Batches yields the images in batches of batchSize scaled to [-1, 1] (see BatchesIn).
func Batches(im *Images, batchSize int, rng *rand.Rand, mask []bool) iter.Seq[Batch] {
	return BatchesIn(im, batchSize, rng, mask, Signed)
}

// BatchesIn yields the images in batches of batchSize, scaled into r; the last batch is shorter when the
// size does not divide the set. With rng non-nil the order is shuffled. With mask non-nil each batch
// carries it.
func BatchesIn(im *Images, batchSize int, rng *rand.Rand, mask []bool, r Range) iter.Seq[Batch] {
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
			if !yield(im.Gather(order[start:min(start+batchSize, n)], mask, r)) {
				return
			}
		}
	}
}

// Labelled lists the training images whose label may be used.
func (ds *Dataset) Labelled() []int {
	var out []int
	for i, known := range ds.Mask {
		if known {
			out = append(out, i)
		}
	}
	return out
}
