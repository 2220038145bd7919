package data

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
)

// MNIST's geometry: 28x28 grey images.
const (
	MNISTSize   = 28
	MNISTValues = MNISTSize * MNISTSize
)

// MNISTFiles are the four official MNIST files (LeCun, Cortes and Burges), with their published sizes and MD5s.
var MNISTFiles = []RemoteFile{
	{Name: "train-images-idx3-ubyte.gz", Size: 9912422, MD5: "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
	{Name: "train-labels-idx1-ubyte.gz", Size: 28881, MD5: "d53e105ee54ea40749a09fcbcd1e9432"},
	{Name: "t10k-images-idx3-ubyte.gz", Size: 1648877, MD5: "9fb629c4189551a2d022fa330f9573f3"},
	{Name: "t10k-labels-idx1-ubyte.gz", Size: 4542, MD5: "ec29112dd5afa0611ce80d1b7f02629c"},
}

// MNISTBaseURL is a public mirror of the official MNIST files (the original site often refuses
// automated downloads); the files are checked against the published sizes and MD5s all the same.
const MNISTBaseURL = "https://storage.googleapis.com/cvdf-datasets/mnist/"

// EnsureMNIST downloads the MNIST files missing from dir from MNISTBaseURL, with a progress bar on w.
func EnsureMNIST(ctx context.Context, dir string, w io.Writer) error {
	d := &Downloader{BaseURL: MNISTBaseURL, Progress: w}
	for _, f := range MNISTFiles {
		if err := d.Ensure(ctx, dir, f); err != nil {
			return err
		}
	}
	return nil
}

// LoadMNIST reads the official training (60,000) and test (10,000) sets from the four files in dir, as
// 28x28 grey images.
func LoadMNIST(dir string) (train, test *Images, err error) {
	if train, err = loadMNISTPair(dir, MNISTFiles[0].Name, MNISTFiles[1].Name); err != nil {
		return nil, nil, err
	}
	if test, err = loadMNISTPair(dir, MNISTFiles[2].Name, MNISTFiles[3].Name); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

func loadMNISTPair(dir, imagesName, labelsName string) (*Images, error) {
	imagesPath, labelsPath := filepath.Join(dir, imagesName), filepath.Join(dir, labelsName)
	dims, pixels, err := ReadIDX(imagesPath)
	if err != nil {
		return nil, err
	}
	if len(dims) != 3 || dims[1] != MNISTSize || dims[2] != MNISTSize {
		return nil, fmt.Errorf("%s: images of dimensions %v, want [N 28 28]", imagesPath, dims)
	}
	ldims, labels, err := ReadIDX(labelsPath)
	if err != nil {
		return nil, err
	}
	if len(ldims) != 1 || ldims[0] != dims[0] {
		return nil, fmt.Errorf("%s: labels of dimensions %v, want [%d] to match %s", labelsPath, ldims, dims[0], imagesPath)
	}
	g := &Images{Shape: MNISTShape, Pixels: pixels, Labels: make([]int32, len(labels))}
	for i, l := range labels {
		if l > 9 {
			return nil, fmt.Errorf("%s: label %d of image %d, want 0..9", labelsPath, l, i)
		}
		g.Labels[i] = int32(l)
	}
	return g, nil
}
