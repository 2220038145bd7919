package data

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestLabelMaskBalanced(t *testing.T) {
	im := SyntheticDigits(3000, 5)
	mask, err := LabelMask(im.Labels, 1000, false, 9)
	if err != nil {
		t.Fatal(err)
	}
	perClass := make([]int, NumClasses)
	total := 0
	for i, m := range mask {
		if m {
			perClass[im.Labels[i]]++
			total++
		}
	}
	if total != 1000 {
		t.Fatalf("%d labels marked, want 1000", total)
	}
	for c, n := range perClass {
		if n != 100 {
			t.Fatalf("class %d has %d labels, want 100 (balanced): %v", c, n, perClass)
		}
	}
	again, _ := LabelMask(im.Labels, 1000, false, 9)
	other, _ := LabelMask(im.Labels, 1000, false, 10)
	same, differ := true, false
	for i := range mask {
		same = same && mask[i] == again[i]
		differ = differ || mask[i] != other[i]
	}
	if !same || !differ {
		t.Errorf("mask should depend on the seed only (same seed same mask: %v, other seed differs: %v)", same, differ)
	}
}

func TestLabelMaskSmallClassAndFirstN(t *testing.T) {
	labels := []int32{0, 0, 0, 0, 0, 0, 1, 2, 2, 2}
	mask, err := LabelMask(labels, 6, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range mask {
		if m {
			n++
		}
	}
	if n != 6 || !mask[6] {
		t.Errorf("want 6 labels including the only class-1 image, got %d (%v)", n, mask)
	}
	first, _ := LabelMask(labels, 3, true, 1)
	for i, m := range first {
		if m != (i < 3) {
			t.Fatalf("first-N mask %v", first)
		}
	}
	if _, err := LabelMask(labels, 11, false, 1); err == nil {
		t.Error("asking for more labels than images should fail")
	}
}

func TestBatches(t *testing.T) {
	im := SyntheticDigits(10, 1)
	mask := []bool{true, false, true, false, false, false, false, false, false, true}
	var sizes []int
	seen := make(map[int32]int)
	labelled := 0
	for b := range Batches(im, 4, rand.New(rand.NewPCG(1, 2)), mask) {
		sizes = append(sizes, b.Size)
		for k := 0; k < b.Size; k++ {
			seen[b.Labels[k]]++
			labelled += int(b.Mask[k])
		}
		for _, v := range b.Pixels {
			if v < -1 || v > 1 {
				t.Fatalf("pixel %g outside [-1, 1]", v)
			}
		}
	}
	if len(sizes) != 3 || sizes[2] != 2 {
		t.Errorf("batch sizes %v, want [4 4 2] (short last batch kept)", sizes)
	}
	if labelled != 3 {
		t.Errorf("%d labelled images in the epoch, want 3", labelled)
	}
	for b := range Batches(im, 4, nil, nil) {
		if b.Mask != nil {
			t.Error("evaluation batches carry no mask")
		}
		if b.Labels[0] != im.Labels[0] || b.Pixels[0] != ScalePixel(im.Pixels[0]) {
			t.Error("unshuffled batches keep the file order")
		}
		break
	}
	if ScalePixel(0) != -1 || ScalePixel(255) != 1 {
		t.Errorf("ScalePixel maps 0..255 to %g..%g, want -1..1", ScalePixel(0), ScalePixel(255))
	}
}

func TestNewDatasetSplit(t *testing.T) {
	train, test := SyntheticDigits(500, 1), SyntheticDigits(101, 2)
	opt := DefaultDatasetOptions()
	opt.Labels, opt.MaxTrain, opt.MaxTest = 50, 300, 40
	ds, err := NewDataset(train, test, opt)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.Len() != 300 || ds.Valid.Len() != 51 || ds.Test.Len() != 40 || len(ds.Mask) != 300 {
		t.Fatalf("sizes train %d valid %d test %d mask %d, want 300 51 40 300", ds.Train.Len(), ds.Valid.Len(), ds.Test.Len(), len(ds.Mask))
	}
	// As the course: the test set is the first half of the test file, the validation set the second.
	if !bytes.Equal(ds.Test.Image(0), test.Image(0)) || !bytes.Equal(ds.Valid.Image(0), test.Image(50)) {
		t.Error("the test set should be the test file's first half and the validation set its second")
	}
}

func TestNewDatasetRefusesEmptyTraining(t *testing.T) {
	_, err := NewDataset(SyntheticDigits(0, 1), SyntheticDigits(20, 2), DefaultDatasetOptions())
	if err == nil || !strings.Contains(err.Error(), "training set is empty") {
		t.Errorf("empty training set: %v", err)
	}
}
