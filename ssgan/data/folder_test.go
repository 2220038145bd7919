package data

import (
	"bytes"
	"context"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// digitFolder writes a folder data set of three word-named classes made of generated digits 1, 4 and 7:
// perClass labelled images of each in train/, unlabelled ones (nested a level deep) in unlabelled/, and
// with test set, test/ too. It returns the root and the class of each label, sorted as LoadFolder sorts.
func digitFolder(t *testing.T, perClass, unlabelled int, test bool) string {
	t.Helper()
	root := t.TempDir()
	digits := map[int32]string{1: "one", 4: "four", 7: "seven"}
	im := SyntheticDigits(40*(perClass+unlabelled+10), 5)
	names := make([]string, NumClasses)
	for d, n := range digits {
		names[d] = n
	}
	count := map[int32]int{}
	var train, testIdx, unl []int
	for i, l := range im.Labels {
		if _, ok := digits[l]; !ok {
			continue
		}
		switch c := count[l]; {
		case c < perClass:
			train = append(train, i)
		case test && c < perClass+5:
			testIdx = append(testIdx, i)
		case len(unl) < unlabelled:
			unl = append(unl, i)
		}
		count[l]++
	}
	must(t, WriteFolder(root, FolderTrain, im, train, names))
	must(t, WriteFolder(root, filepath.Join(FolderUnlabelled, "batch1"), im, unl, nil))
	if test {
		must(t, WriteFolder(root, FolderTest, im, testIdx, names))
	}
	return root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func folderOptions(dir string) DatasetOptions {
	return DatasetOptions{Dataset: DatasetFolder, Dir: dir, HoldOut: DefaultHoldOut, Seed: 1}
}

func TestLoadFolder(t *testing.T) {
	root := digitFolder(t, 10, 30, false)
	ds, err := LoadFolder(context.Background(), folderOptions(root), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"four", "one", "seven"}; !slices.Equal(ds.Classes, want) {
		t.Fatalf("classes %v, want %v (the folder names, sorted)", ds.Classes, want)
	}
	// A fifth of each class's 10 labelled images is held apart: 2 per class.
	if ds.Test.Len() != 6 || len(ds.Labelled()) != 24 || ds.Train.Len() != 24+30 || ds.Valid != nil || ds.ValidFromTrain || !ds.TestHeldOut {
		t.Fatalf("test %d, labelled %d, train %d, valid %v, held out %v: want 6, 24, 54, no validation set, test held out", ds.Test.Len(), len(ds.Labelled()), ds.Train.Len(), ds.Valid, ds.TestHeldOut)
	}
	perClass := make([]int, 3)
	for _, l := range ds.Test.Labels {
		perClass[l]++
	}
	if !slices.Equal(perClass, []int{2, 2, 2}) {
		t.Errorf("held-apart images per class %v, want 2 each", perClass)
	}
	for _, i := range ds.Labelled() {
		if l := ds.Train.Labels[i]; l < 0 || l > 2 {
			t.Fatalf("label %d of labelled image %d", l, i)
		}
	}
	// eval's test set is the same held-apart images.
	test, err := LoadFolderTest(context.Background(), folderOptions(root), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(test.Pixels, ds.Test.Pixels) || !slices.Equal(test.Labels, ds.Test.Labels) {
		t.Errorf("LoadFolderTest differs from LoadFolder's test set")
	}
	// Another seed holds other images apart.
	opt := folderOptions(root)
	opt.Seed = 2
	other, err := LoadFolderTest(context.Background(), opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(other.Pixels, ds.Test.Pixels) {
		t.Errorf("seeds 1 and 2 hold the same images apart")
	}
}

// With -skip_bad_images a skipped file shifts which images are held apart; eval (LoadFolderTest) must
// still test on exactly the images training held apart, with and without skipped files.
func TestLoadFolderTestMatchesWithSkippedFiles(t *testing.T) {
	root := digitFolder(t, 10, 5, false)
	entries, err := os.ReadDir(filepath.Join(root, FolderTrain, "four"))
	must(t, err)
	// A non-image sorted among the real ones (not first, not last).
	bad := filepath.Join(root, FolderTrain, "four", entries[3].Name()+"x.png")
	must(t, os.WriteFile(bad, []byte("not an image"), 0o644))
	opt := folderOptions(root)
	opt.SkipBad = true
	ds, err := LoadFolder(context.Background(), opt, io.Discard)
	must(t, err)
	test, err := LoadFolderTest(context.Background(), opt, io.Discard)
	must(t, err)
	if !slices.Equal(test.Pixels, ds.Test.Pixels) || !slices.Equal(test.Labels, ds.Test.Labels) {
		t.Errorf("with a skipped file, LoadFolderTest holds apart other images than LoadFolder")
	}
	// Without -skip_bad_images training refuses the folder (eval then decodes only the held-apart images).
	opt.SkipBad = false
	if _, err := LoadFolder(context.Background(), opt, io.Discard); err == nil {
		t.Errorf("LoadFolder accepted a non-image without SkipBad")
	}
}

// The images a folder holds are decoded back exactly (PNG round trip), whatever their size: a 32x32
// image stays itself, a grey one becomes three equal channels.
func TestLoadFolderDecodesWhatWasWritten(t *testing.T) {
	root := t.TempDir()
	im := SyntheticDigits(6, 9)
	for i := range im.Labels {
		im.Labels[i] = int32(i % 2)
	}
	must(t, WriteFolder(root, FolderTrain, im, []int{0, 1, 2, 3, 4, 5}, []string{"even", "odd"}))
	must(t, WriteFolder(root, FolderTest, im, []int{0, 1}, []string{"even", "odd"}))
	ds, err := LoadFolder(context.Background(), folderOptions(root), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.Len() != 6 || ds.Test.Len() != 2 {
		t.Fatalf("train %d test %d, want 6 and 2", ds.Train.Len(), ds.Test.Len())
	}
	want := im.Subset([]int{0, 2, 4, 1, 3, 5}) // Class by class, as the folders list them.
	if !slices.Equal(ds.Train.Pixels, want.Pixels) || !slices.Equal(ds.Train.Labels, want.Labels) {
		t.Errorf("decoded images or labels differ from those written")
	}
}

func TestLoadFolderBadInput(t *testing.T) {
	write := func(path string, b []byte) {
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		must(t, os.WriteFile(path, b, 0o644))
	}
	for _, tc := range []struct {
		name  string
		setup func(root string)
		skip  bool   // With SkipBad.
		want  string // "" loads.
	}{
		{"no train folder", func(root string) { must(t, os.RemoveAll(filepath.Join(root, FolderTrain))) }, false, "no train folder"},
		{"one class", func(root string) {
			must(t, os.RemoveAll(filepath.Join(root, FolderTrain, "one")))
			must(t, os.RemoveAll(filepath.Join(root, FolderTrain, "seven")))
		}, false, "1 class folder(s) [four]: a classifier needs at least 2 classes"},
		{"empty class folder", func(root string) { must(t, os.MkdirAll(filepath.Join(root, FolderTrain, "zebra"), 0o755)) }, false,
			filepath.Join(FolderTrain, "zebra") + ": an empty class folder"},
		{"a file beside the class folders", func(root string) { write(filepath.Join(root, FolderTrain, "x.png"), nil) }, false,
			"a file directly in"},
		{"a test class with no labelled images", func(root string) {
			must(t, os.MkdirAll(filepath.Join(root, FolderTest, "nine"), 0o755))
			write(filepath.Join(root, FolderTest, "nine", "a.png"), nil)
		}, false, `class "nine" has no labelled images`},
		{"a file that is not an image", func(root string) { write(filepath.Join(root, FolderTrain, "one", "notes.txt"), []byte("hello")) }, false,
			"notes.txt: not an image (PNG, JPEG, GIF, BMP, TIFF or WebP)"},
		{"a file that is not an image, skipped", func(root string) { write(filepath.Join(root, FolderTrain, "one", "notes.txt"), []byte("hello")) }, true, ""},
		{"every image of a class unreadable, skipped", func(root string) {
			must(t, os.RemoveAll(filepath.Join(root, FolderTrain, "one")))
			write(filepath.Join(root, FolderTrain, "one", "a.png"), []byte("junk"))
		}, true, `class "one" has no labelled image that could be read`},
		{"a dangling link", func(root string) {
			must(t, os.Symlink(filepath.Join(root, "nowhere.png"), filepath.Join(root, FolderUnlabelled, "gone.png")))
		}, false, "gone.png: open"},
		{"hidden files are not images to read", func(root string) { write(filepath.Join(root, FolderTrain, "one", ".DS_Store"), []byte("x")) }, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := digitFolder(t, 4, 4, false)
			tc.setup(root)
			opt := folderOptions(root)
			opt.SkipBad = tc.skip
			var progress strings.Builder
			ds, err := LoadFolder(context.Background(), opt, &progress)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "":
				if tc.skip && !strings.Contains(progress.String(), "skipped 1 files that could not be read as images: "+filepath.Join(root, FolderTrain, "one", "notes.txt")) {
					t.Errorf("the skipped file is not named:\n%s", progress.String())
				}
				if ds.Train.Len() != 9+4 {
					t.Errorf("train %d images, want 13", ds.Train.Len())
				}
			case err == nil:
				t.Fatalf("loaded, want an error with %q", tc.want)
			case !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n"):
				t.Errorf("error %q, want one line with %q", err, tc.want)
			}
		})
	}
}

// A folder the process may not read is named (as root, permissions do not stop reading: skipped).
func TestLoadFolderUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permissions do not stop reading")
	}
	root := digitFolder(t, 4, 4, false)
	dir := filepath.Join(root, FolderTrain, "one")
	must(t, os.Chmod(dir, 0))
	defer os.Chmod(dir, 0o755)
	_, err := LoadFolder(context.Background(), folderOptions(root), nil)
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("error %v, want one naming %s and the permission", err, dir)
	}
}

// Mixed sizes, colour and grey, and every format the loader names: each becomes a 32x32 colour image of
// its own colour (a flat image keeps its colour through any resize; JPEG within a few levels).
func TestLoadFolderMixedSizesAndFormats(t *testing.T) {
	root := t.TempDir()
	type file struct {
		name      string
		w, h      int
		grey      bool
		r, g, b   uint8
		tolerance int
	}
	files := []file{
		{"a/big.png", 640, 480, false, 200, 30, 40, 0},
		{"a/small.gif", 7, 5, false, 0, 0, 255, 0},
		{"a/grey.jpg", 17, 23, true, 90, 90, 90, 3},
		{"b/wide.bmp", 100, 10, false, 10, 220, 10, 0},
		{"b/tall.tiff", 3, 90, false, 250, 250, 0, 0},
		{"b/photo.jpg", 33, 31, false, 120, 60, 200, 6},
	}
	for _, f := range files {
		path := filepath.Join(root, FolderTrain, f.name)
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		must(t, os.WriteFile(path, encodeFlat(t, filepath.Ext(f.name), f.w, f.h, f.grey, f.r, f.g, f.b), 0o644))
	}
	must(t, os.MkdirAll(filepath.Join(root, FolderTest, "a"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, FolderTest, "a", "t.png"), encodeFlat(t, ".png", 5, 5, false, 1, 2, 3), 0o644))
	ds, err := LoadFolder(context.Background(), folderOptions(root), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Listed class by class, files sorted: a/big.png, a/grey.jpg, a/small.gif, b/photo.jpg, b/tall.tiff, b/wide.bmp.
	order := []int{0, 2, 1, 5, 4, 3}
	for k, i := range order {
		f, px := files[i], ds.Train.Image(k)
		for p := 0; p < len(px); p += 3 {
			for c, want := range []uint8{f.r, f.g, f.b} {
				if d := int(px[p+c]) - int(want); d > f.tolerance || -d > f.tolerance {
					t.Fatalf("%s: pixel %d channel %d is %d, want %d", f.name, p/3, c, px[p+c], want)
				}
			}
		}
	}
}

func encodeFlat(t *testing.T, ext string, w, h int, grey bool, r, g, b uint8) []byte {
	t.Helper()
	var img image.Image
	if grey {
		gi := image.NewGray(image.Rect(0, 0, w, h))
		for i := range gi.Pix {
			gi.Pix[i] = r
		}
		img = gi
	} else {
		ci := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := 0; i < len(ci.Pix); i += 4 {
			ci.Pix[i], ci.Pix[i+1], ci.Pix[i+2], ci.Pix[i+3] = r, g, b, 255
		}
		img = ci
	}
	var buf bytes.Buffer
	var err error
	switch ext {
	case ".png":
		err = png.Encode(&buf, img)
	case ".jpg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	case ".gif":
		err = gif.Encode(&buf, img, nil)
	case ".bmp":
		err = bmp.Encode(&buf, img)
	case ".tiff":
		err = tiff.Encode(&buf, img, nil)
	}
	must(t, err)
	return buf.Bytes()
}
