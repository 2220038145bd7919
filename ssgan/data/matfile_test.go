package data

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSVHNRoundTrip(t *testing.T) {
	im := SyntheticDigits(7, 3)
	im.Labels[0] = 0 // Stored as 10.
	for _, compress := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "x.mat")
		if err := SaveSVHN(path, im, compress); err != nil {
			t.Fatal(err)
		}
		got, err := LoadSVHN(path)
		if err != nil {
			t.Fatalf("compress=%v: %v", compress, err)
		}
		if !bytes.Equal(got.Pixels, im.Pixels) {
			t.Errorf("compress=%v: pixels differ after a round trip", compress)
		}
		for i := range im.Labels {
			if got.Labels[i] != im.Labels[i] {
				t.Errorf("compress=%v: label %d is %d, want %d", compress, i, got.Labels[i], im.Labels[i])
			}
		}
	}
}

// TestMatColumnMajor checks the layout against a hand-built file: X(row, col, ch, n) in MATLAB order.
func TestMatColumnMajor(t *testing.T) {
	x := make([]uint8, ImageValues*2)
	// MATLAB X(row=1, col=2, ch=3, n=2) (1-based) = 200: index row + 32*(col + 32*(ch + 3*n)), 0-based.
	x[0+32*(1+32*(2+3*1))] = 200
	path := filepath.Join(t.TempDir(), "x.mat")
	err := WriteMat(path, false, &MatArray{Name: "X", Dims: []int{32, 32, 3, 2}, Data: x},
		&MatArray{Name: "y", Dims: []int{2, 1}, Data: []uint8{10, 3}})
	if err != nil {
		t.Fatal(err)
	}
	im, err := LoadSVHN(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := im.Pixels[ImageValues+(0*ImageSize+1)*ImageChannels+2]; got != 200 {
		t.Errorf("pixel (n=1,row=0,col=1,ch=2) = %d, want 200", got)
	}
	if im.Labels[0] != 0 || im.Labels[1] != 3 {
		t.Errorf("labels %v, want [0 3] (10 means the digit 0)", im.Labels)
	}
}

func TestMatErrorsNameFileAndProblem(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.mat")
	if err := SaveSVHN(good, SyntheticDigits(5, 1), true); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	plain := filepath.Join(dir, "plain.mat")
	if err := SaveSVHN(plain, SyntheticDigits(5, 1), false); err != nil {
		t.Fatal(err)
	}
	rawPlain, _ := os.ReadFile(plain)
	corrupt := append([]byte{}, raw...)
	for i := 200; i < 260; i++ {
		corrupt[i] ^= 0x5a
	}
	wrongVar := filepath.Join(dir, "wrongvar.mat")
	if err := WriteMat(wrongVar, true, &MatArray{Name: "images", Dims: []int{1, 1}, Data: []uint8{1}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated-compressed", raw[:len(raw)/2], "truncated"},
		{"truncated-plain", rawPlain[:len(rawPlain)-100], "truncated"},
		{"header-only", raw[:100], "not a MATLAB v5 file"},
		{"not-mat", []byte(strings.Repeat("hello", 40)), "not a MATLAB v5 file"},
		{"corrupt-zlib", corrupt, "compressed element"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".mat")
			os.WriteFile(path, tc.data, 0o644)
			_, err := LoadSVHN(path)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v: want one naming %s and saying %q", err, path, tc.want)
			}
		})
	}
	if _, err := LoadSVHN(wrongVar); err == nil || !strings.Contains(err.Error(), "need variables X and y") {
		t.Fatalf("wrong variables: error %v", err)
	}
}

// TestRealSVHNSubset reads ../shared/data's 10,000 real SVHN test images (official layout, zlib elements).
func TestRealSVHNSubset(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "svhn", "test_32x32_first10k.mat")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real SVHN subset not present (%v)", err)
	}
	im, err := LoadSVHN(path)
	if err != nil {
		t.Fatal(err)
	}
	if im.Len() != 10000 {
		t.Fatalf("%d images, want 10000", im.Len())
	}
	// From the data's README: first ten labels as stored 5 2 1 10 6 1 9 1 1 8, and the class counts.
	want := []int32{5, 2, 1, 0, 6, 1, 9, 1, 1, 8}
	for i, w := range want {
		if im.Labels[i] != w {
			t.Fatalf("label %d is %d, want %d", i, im.Labels[i], w)
		}
	}
	counts := make([]int, NumClasses)
	for _, l := range im.Labels {
		counts[l]++
	}
	wantCounts := []int{684, 1968, 1590, 1104, 964, 909, 773, 767, 621, 620}
	for c := range counts {
		if counts[c] != wantCounts[c] {
			t.Fatalf("class counts %v, want %v", counts, wantCounts)
		}
	}
}
