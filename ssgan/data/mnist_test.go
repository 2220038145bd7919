package data

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sharedMNIST is the four official files beside the repository (../shared/data/mnist), if there.
func sharedMNIST(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data", "mnist")
	if _, err := os.Stat(filepath.Join(dir, MNISTFiles[0].Name)); err != nil {
		t.Skipf("official MNIST files not found in %s: skipped", dir)
	}
	return dir
}

func TestIDXRoundTripAndBadFiles(t *testing.T) {
	dir := t.TempDir()
	values := []uint8{1, 2, 3, 4, 5, 6}
	for _, gz := range []bool{false, true} {
		p := filepath.Join(dir, "ok.idx")
		if err := WriteIDX(p, []int{2, 3}, values, gz); err != nil {
			t.Fatal(err)
		}
		dims, got, err := ReadIDX(p)
		if err != nil || !slices.Equal(dims, []int{2, 3}) || !slices.Equal(got, values) {
			t.Fatalf("gzip %v: got %v %v %v", gz, dims, got, err)
		}
	}
	good := []byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6}
	for _, c := range []struct {
		name, want string
		raw        []byte
	}{
		{"empty", "truncated header", nil},
		{"magic", "not an IDX file", append([]byte{1}, good[1:]...)},
		{"type", "value type 0xd", append([]byte{0, 0, 0x0d}, good[3:]...)},
		{"no dims", "0 dimensions", []byte{0, 0, 8, 0}},
		{"zero dim", "not a plausible size", []byte{0, 0, 8, 1, 0, 0, 0, 0}},
		{"short header", "truncated IDX header", good[:9]},
		{"short body", "declares [2 3] (6 values) but the file holds 4 bytes", good[:len(good)-2]},
		{"trailing", "declares [2 3] (6 values) but the file holds 7 bytes", append(append([]byte{}, good...), 9)},
	} {
		p := filepath.Join(dir, c.name+".idx")
		os.WriteFile(p, c.raw, 0o644)
		_, _, err := ReadIDX(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming %s and saying %q", c.name, err, p, c.want)
		}
	}
	// A truncated gzip stream is refused too.
	p := filepath.Join(dir, "gz.idx")
	WriteIDX(p, []int{2, 3}, values, true)
	raw, _ := os.ReadFile(p)
	os.WriteFile(p, raw[:len(raw)-12], 0o644)
	if _, _, err := ReadIDX(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("truncated gzip: %v", err)
	}
}

func TestLoadMNISTOfficialFiles(t *testing.T) {
	train, test, err := LoadMNIST(sharedMNIST(t))
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 {
		t.Fatalf("%d training and %d test images, want 60000 and 10000", train.Len(), test.Len())
	}
	if got := train.Labels[:10]; !slices.Equal(got, []int32{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}) {
		t.Errorf("first training labels %v", got)
	}
	if got := test.Labels[:10]; !slices.Equal(got, []int32{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}) {
		t.Errorf("first test labels %v", got)
	}
	counts := make([]int, NumClasses)
	for _, l := range train.Labels {
		counts[l]++
	}
	if !slices.Equal(counts, []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}) {
		t.Errorf("training class counts %v", counts)
	}
	mask, err := LabelMask(train.Labels, 100, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	perDigit := make([]int, NumClasses)
	for i, known := range mask {
		if known {
			perDigit[train.Labels[i]]++
		}
	}
	if !slices.Equal(perDigit, []int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}) {
		t.Errorf("100 balanced labels per digit: %v", perDigit)
	}
}

// The downloader fetches the four files from a mirror (here a local server with the real files), checks
// them, and LoadMNIST reads what it wrote.
func TestEnsureMNISTFromMirror(t *testing.T) {
	src := sharedMNIST(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(src)))
	defer srv.Close()
	dir := t.TempDir()
	d := &Downloader{BaseURL: srv.URL}
	for _, f := range MNISTFiles {
		if err := d.Ensure(context.Background(), dir, f); err != nil {
			t.Fatal(err)
		}
	}
	if _, test, err := LoadMNIST(dir); err != nil || test.Len() != 10000 {
		t.Fatalf("after download: %v", err)
	}
}

func TestGatherScalesIntoTheNetworksRange(t *testing.T) {
	im := NewImages(MNISTShape, 2)
	im.Image(1)[0], im.Image(1)[MNISTShape.Values()-1], im.Labels[1] = 255, 51, 7
	tests := []struct {
		r           Range
		first, last float32
	}{{Unit, 1, 0.2}, {Signed, 1, 51/127.5 - 1}}
	for _, tc := range tests {
		b := im.Gather([]int{1}, []bool{false, true}, tc.r)
		if b.Shape != MNISTShape || b.Size != 1 || len(b.Pixels) != 784 || b.Labels[0] != 7 || b.Mask[0] != 1 {
			t.Fatalf("range %d: batch %v size %d, %d pixels, label %d, mask %v", tc.r, b.Shape, b.Size, len(b.Pixels), b.Labels[0], b.Mask)
		}
		if b.Pixels[0] != tc.first || b.Pixels[783] != tc.last {
			t.Errorf("range %d: pixels %g, %g; want %g, %g", tc.r, b.Pixels[0], b.Pixels[783], tc.first, tc.last)
		}
	}
}

func TestNewDatasetWithoutValidationSplitScoresUnlabelledTrainingImages(t *testing.T) {
	train, test := SyntheticDigits(300, 1), SyntheticDigits(50, 2)
	opt := DatasetOptions{Labels: 100, Seed: 3}
	ds, err := NewDataset(train, test, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !ds.ValidFromTrain || ds.Valid.Len() != 200 || ds.Test.Len() != 50 {
		t.Fatalf("valid from train %v, %d valid, %d test; want true, 200, 50", ds.ValidFromTrain, ds.Valid.Len(), ds.Test.Len())
	}
	labelledImages := map[string]bool{}
	for _, i := range ds.Labelled() {
		labelledImages[string(train.Image(i))] = true
	}
	for i := range ds.Valid.Len() {
		if labelledImages[string(ds.Valid.Image(i))] {
			t.Fatalf("validation image %d is a labelled training image", i)
		}
	}
	opt.ValidFraction = 0.5
	if ds, err = NewDataset(train, test, opt); err != nil || ds.ValidFromTrain || ds.Valid.Len() != 25 {
		t.Fatalf("with a validation split: %v, from train %v, %d valid", err, ds.ValidFromTrain, ds.Valid.Len())
	}
	if _, err := NewDataset(train, NewImages(MNISTShape, 5), opt); err == nil || !strings.Contains(err.Error(), "28x28x1") {
		t.Errorf("mixed shapes: %v", err)
	}
}
