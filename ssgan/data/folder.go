package data

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The sub-folders of a folder data set, in the layout of torchvision's ImageFolder and Keras'
// image_dataset_from_directory: one folder per class under each labelled split.
const (
	FolderTrain      = "train"      // train/<class>/...: the labelled images.
	FolderUnlabelled = "unlabelled" // unlabelled/... (any depth): the images without a label.
	FolderTest       = "test"       // test/<class>/... (optional): the test set.
	FolderValid      = "valid"      // valid/<class>/... (optional): the validation set that picks best.ssgan.
)

// DefaultHoldOut is the part of each class's labelled images held apart as the test set when a folder
// has no test/ folder.
const DefaultHoldOut = 0.2

// classFiles lists one labelled split of a folder: the files of each class, in sorted order.
type classFiles struct {
	classes []string
	files   [][]string
}

// listClasses reads dir/<class>/... (files at any depth under each class folder; names starting with "."
// are skipped). A missing dir gives (nil, nil).
func listClasses(dir string) (*classFiles, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	cf := &classFiles{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		if !e.IsDir() {
			return nil, fmt.Errorf("%s: a file directly in %s: its images go in one folder per class (%s/<class name>/...)", path, dir, dir)
		}
		files, err := listFiles(path)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: an empty class folder: every class needs images (remove the folder, or add images)", path)
		}
		cf.classes, cf.files = append(cf.classes, name), append(cf.files, files)
	}
	return cf, nil // os.ReadDir sorts by name: the classes are in sorted order.
}

// listFiles returns every file under dir, at any depth, sorted; names starting with "." are skipped.
func listFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", path, unwrapPathError(err))
		}
		if strings.HasPrefix(d.Name(), ".") && path != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	return files, err
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// FolderClasses returns the class names of a folder data set (the folders under dir/train, sorted), with
// the checks LoadFolder makes of them.
func FolderClasses(dir string) ([]string, error) {
	train, err := listClasses(filepath.Join(dir, FolderTrain))
	if err != nil {
		return nil, err
	}
	if err := checkTrainClasses(dir, train); err != nil {
		return nil, err
	}
	return train.classes, nil
}

func checkTrainClasses(dir string, train *classFiles) error {
	switch {
	case train == nil:
		return fmt.Errorf("%s: no %s folder: a folder data set keeps its labelled images in %s/<class name>/ (and the others in %s/)",
			dir, FolderTrain, filepath.Join(dir, FolderTrain), filepath.Join(dir, FolderUnlabelled))
	case len(train.classes) < 2:
		return fmt.Errorf("%s: %d class folder(s) %v: a classifier needs at least 2 classes", filepath.Join(dir, FolderTrain), len(train.classes), train.classes)
	}
	return nil
}

// LoadFolder reads a folder data set (opt.Dir; see FolderTrain and the other sub-folders): every image is
// decoded (any size, colour or grey, in the formats ReadImageFile reads) and resized to opt.Image, on all
// cores, one decoded image per worker at a time, with a progress line on progress. The class names are the
// folders under train/, sorted; they are the labels 0..K-1.
//
// The labelled images of train/ are all labelled (or a balanced pick of opt.Labels of them); the images of
// unlabelled/ train as unlabelled images and have no label to score, so unlike NewDataset no validation set
// is drawn from them. Without test/, a seeded opt.HoldOut of each class's labelled images is held apart as
// the test set. A file that is not an image is refused (named), or skipped and named with opt.SkipBad.
func LoadFolder(ctx context.Context, opt DatasetOptions, progress io.Writer) (*Dataset, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	f, err := listFolder(opt)
	if err != nil {
		return nil, err
	}
	var unlabelled []string
	if f.hasUnlabelled {
		if unlabelled, err = listFiles(filepath.Join(opt.Dir, FolderUnlabelled)); err != nil {
			return nil, err
		}
	}
	// Decode everything at once (one progress line), then cut it up.
	all := slices.Concat(f.trainFiles, f.testFiles, f.validFiles, unlabelled)
	labels := slices.Concat(f.trainLabels, f.testLabels, f.validLabels, make([]int32, len(unlabelled)))
	im, ok, err := decodeFiles(ctx, all, labels, opt, progress)
	if err != nil {
		return nil, err
	}
	nTrain, nTest, nValid := len(f.trainFiles), len(f.testFiles), len(f.validFiles)
	part := func(from, to int) []int {
		var idx []int
		for i := from; i < to; i++ {
			if ok[i] {
				idx = append(idx, i)
			}
		}
		return idx
	}
	labelled, test := part(0, nTrain), part(nTrain, nTrain+nTest)
	valid, unl := part(nTrain+nTest, nTrain+nTest+nValid), part(nTrain+nTest+nValid, len(all))
	if err := checkEveryClassLeft(opt.Dir, f.classes, im.Labels, labelled); err != nil {
		return nil, err
	}
	if !f.hasTest {
		labelled, test = holdOut(im.Labels, labelled, opt.HoldOut, opt.Seed)
	}
	switch {
	case len(test) == 0 && f.hasTest:
		return nil, fmt.Errorf("%s: no test images left (every file was skipped)", filepath.Join(opt.Dir, FolderTest))
	case len(test) == 0:
		return nil, fmt.Errorf("%s: every class has a single labelled image, so none can be held apart to test on: add a %s folder",
			filepath.Join(opt.Dir, FolderTrain), filepath.Join(opt.Dir, FolderTest))
	}
	ds := &Dataset{Train: im.Subset(slices.Concat(labelled, unl)), Test: im.Subset(test), Classes: f.classes, TestHeldOut: !f.hasTest}
	if len(valid) > 0 {
		ds.Valid = im.Subset(valid)
	}
	n := len(labelled)
	if opt.Labels > 0 {
		n = opt.Labels
	}
	if ds.Mask, err = LabelMask(ds.Train.Labels[:len(labelled)], n, opt.FirstN, opt.Seed); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(opt.Dir, FolderTrain), err)
	}
	ds.Mask = append(ds.Mask, make([]bool, len(unl))...)
	return ds, nil
}

// LoadFolderTest loads only the test set of a folder data set (for eval): test/, or the same seeded part
// of train/ that LoadFolder held apart.
func LoadFolderTest(ctx context.Context, opt DatasetOptions, progress io.Writer) (*Images, error) {
	f, err := listFolder(opt)
	if err != nil {
		return nil, err
	}
	files, labels := f.testFiles, f.testLabels
	if !f.hasTest && !opt.SkipBad {
		// Every file of train/ was an image (LoadFolder refuses the folder otherwise), so the held-apart
		// part follows from the labels alone: only those images are decoded.
		_, held := holdOut(f.trainLabels, allIndices(len(f.trainFiles)), opt.HoldOut, opt.Seed)
		files, labels = make([]string, len(held)), make([]int32, len(held))
		for k, i := range held {
			files[k], labels[k] = f.trainFiles[i], f.trainLabels[i]
		}
		im, _, err := decodeFiles(ctx, files, labels, opt, progress)
		return im, err
	}
	if !f.hasTest {
		// Skipped files shift which images are held apart: decode all of train/ to know which were skipped.
		files, labels = f.trainFiles, f.trainLabels
	}
	im, ok, err := decodeFiles(ctx, files, labels, opt, progress)
	if err != nil {
		return nil, err
	}
	var idx []int
	for i := range files {
		if ok[i] {
			idx = append(idx, i)
		}
	}
	if !f.hasTest {
		_, idx = holdOut(im.Labels, idx, opt.HoldOut, opt.Seed)
	}
	return im.Subset(idx), nil
}

func allIndices(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// folderListing is a folder data set's files and their labels, before decoding.
type folderListing struct {
	classes                              []string
	trainFiles, testFiles, validFiles    []string
	trainLabels, testLabels, validLabels []int32
	hasTest, hasUnlabelled               bool
}

func listFolder(opt DatasetOptions) (*folderListing, error) {
	if st, err := os.Stat(opt.Dir); err != nil {
		return nil, fmt.Errorf("data_dir %s: %w", opt.Dir, unwrapPathError(err))
	} else if !st.IsDir() {
		return nil, fmt.Errorf("data_dir %s: not a folder", opt.Dir)
	}
	train, err := listClasses(filepath.Join(opt.Dir, FolderTrain))
	if err != nil {
		return nil, err
	}
	if err := checkTrainClasses(opt.Dir, train); err != nil {
		return nil, err
	}
	f := &folderListing{classes: train.classes}
	f.trainFiles, f.trainLabels = flatten(train, train.classes)
	for _, split := range []string{FolderTest, FolderValid} {
		cf, err := listClasses(filepath.Join(opt.Dir, split))
		if err != nil {
			return nil, err
		}
		if cf == nil {
			continue
		}
		for _, c := range cf.classes {
			if !slices.Contains(train.classes, c) {
				return nil, fmt.Errorf("%s: class %q has no labelled images in %s (its classes: %s)",
					filepath.Join(opt.Dir, split, c), c, filepath.Join(opt.Dir, FolderTrain), strings.Join(train.classes, ", "))
			}
		}
		files, labels := flatten(cf, train.classes)
		if split == FolderTest {
			f.testFiles, f.testLabels, f.hasTest = files, labels, true
		} else {
			f.validFiles, f.validLabels = files, labels
		}
	}
	if st, err := os.Stat(filepath.Join(opt.Dir, FolderUnlabelled)); err == nil && st.IsDir() {
		f.hasUnlabelled = true
	}
	return f, nil
}

// flatten lists a split's files with their labels: the index of their class among names.
func flatten(cf *classFiles, names []string) (files []string, labels []int32) {
	for i, c := range cf.classes {
		label := int32(slices.Index(names, c))
		for _, file := range cf.files[i] {
			files, labels = append(files, file), append(labels, label)
		}
	}
	return files, labels
}

// checkEveryClassLeft refuses a folder where skipping bad files left a class without labelled images.
func checkEveryClassLeft(dir string, classes []string, labels []int32, labelled []int) error {
	count := make([]int, len(classes))
	for _, i := range labelled {
		count[labels[i]]++
	}
	for c, n := range count {
		if n == 0 {
			return fmt.Errorf("%s: class %q has no labelled image that could be read", filepath.Join(dir, FolderTrain, classes[c]), classes[c])
		}
	}
	return nil
}

// holdOut splits the labelled images idx into those that train and those held apart to test on: per
// class, a seeded fraction (at least one image, and never the class's last one).
func holdOut(labels []int32, idx []int, fraction float64, seed uint64) (train, test []int) {
	byClass := map[int32][]int{}
	var order []int32
	for _, i := range idx {
		if _, ok := byClass[labels[i]]; !ok {
			order = append(order, labels[i])
		}
		byClass[labels[i]] = append(byClass[labels[i]], i)
	}
	slices.Sort(order)
	for _, c := range order {
		members := byClass[c]
		rng := rand.New(rand.NewPCG(seed, 0x401d+uint64(c)))
		rng.Shuffle(len(members), func(a, b int) { members[a], members[b] = members[b], members[a] })
		n := min(max(int(math.Round(fraction*float64(len(members)))), 1), len(members)-1)
		test, train = append(test, members[:n]...), append(train, members[n:]...)
	}
	slices.Sort(train)
	slices.Sort(test)
	return train, test
}

// decodeFiles decodes and resizes files on all cores. ok[i] says whether file i was an image; with
// opt.SkipBad the others are named on progress and skipped, without it the first (in file order) is the
// error, with a count of the rest.
func decodeFiles(ctx context.Context, files []string, labels []int32, opt DatasetOptions, progress io.Writer) (*Images, []bool, error) {
	shape := opt.FolderShape()
	im := NewImages(shape, len(files))
	copy(im.Labels, labels)
	errs := make([]error, len(files))
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) || ctx.Err() != nil {
					return
				}
				px, err := ReadImageFile(files[i], shape, opt.MaxPixels)
				if err == nil {
					copy(im.Image(i), px)
				}
				errs[i] = err
				done.Add(1)
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	start, ticked := time.Now(), false
	for tick := time.NewTicker(time.Second); ; { // A progress line each second, for folders that take that long.
		select {
		case <-tick.C:
			if progress != nil {
				fmt.Fprintf(progress, "\rloading %s: %d/%d images", opt.Dir, done.Load(), len(files))
				ticked = true
			}
			continue
		case <-finished:
			tick.Stop()
		}
		break
	}
	if ticked {
		fmt.Fprintln(progress)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("loading %s: interrupted", opt.Dir)
	}
	ok := make([]bool, len(files))
	var bad []string
	first := -1
	for i, err := range errs {
		ok[i] = err == nil
		if err != nil {
			bad = append(bad, files[i])
			if first < 0 {
				first = i
			}
		}
	}
	switch {
	case len(bad) == 0:
	case !opt.SkipBad:
		more := ""
		if len(bad) > 1 {
			more = fmt.Sprintf(" (and %d more such files)", len(bad)-1)
		}
		return nil, nil, fmt.Errorf("%s: %v%s: remove it, or add -skip_bad_images to skip such files", files[first], errs[first], more)
	case progress != nil:
		shown := bad[:min(len(bad), 5)]
		more := ""
		if len(bad) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(bad)-len(shown))
		}
		fmt.Fprintf(progress, "skipped %d files that could not be read as images: %s%s\n", len(bad), strings.Join(shown, ", "), more)
	}
	if progress != nil {
		fmt.Fprintf(progress, "loaded %d images from %s in %.1fs (resized to %s)\n", len(files)-len(bad), opt.Dir, time.Since(start).Seconds(), shape)
	}
	return im, ok, nil
}

// WriteFolderSplit writes labelled images as a folder data set (the layout LoadFolder reads): of each class
// that names gives a name (the others are left out), in order, the first `labelled` images go to train/,
// the next `test` to test/, and the rest to unlabelled/, at most `unlabelled` of them in all (< 0: all).
// It returns how many images went to each of the three.
func WriteFolderSplit(root string, im *Images, names []string, labelled, test, unlabelled int) (nTrain, nTest, nUnlabelled int, err error) {
	count := make([]int, len(names))
	var trainIdx, testIdx, unl []int
	for i, l := range im.Labels {
		if int(l) >= len(names) || names[l] == "" {
			continue
		}
		switch c := count[l]; {
		case c < labelled:
			trainIdx = append(trainIdx, i)
		case c < labelled+test:
			testIdx = append(testIdx, i)
		case unlabelled < 0 || len(unl) < unlabelled:
			unl = append(unl, i)
		}
		count[l]++
	}
	for _, w := range []struct {
		split string
		idx   []int
		names []string
	}{{FolderTrain, trainIdx, names}, {FolderTest, testIdx, names}, {FolderUnlabelled, unl, nil}} {
		if err := WriteFolder(root, w.split, im, w.idx, w.names); err != nil {
			return 0, 0, 0, err
		}
	}
	return len(trainIdx), len(testIdx), len(unl), nil
}
