package data

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
	if ds.Test.Len() != 6 || len(ds.Labelled()) != 24 || ds.Train.Len() != 24+30 || ds.Valid != nil || ds.ValidFromTrain {
		t.Fatalf("test %d, labelled %d, train %d, valid %v: want 6, 24, 54 and no validation set", ds.Test.Len(), len(ds.Labelled()), ds.Train.Len(), ds.Valid)
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
