package data

import (
	"fmt"
	"path/filepath"
)

// Image geometry of SVHN's cropped digits.
const (
	ImageSize     = 32
	ImageChannels = 3
	ImageValues   = ImageSize * ImageSize * ImageChannels
	NumClasses    = 10
)

// LoadSVHN reads an SVHN `.mat` file (train_32x32.mat, test_32x32.mat or any file in that layout).
//
// The file stores X as uint8 32x32x3xN in MATLAB's column-major order and y as Nx1 with labels 1..10,
// where 10 stands for the digit 0. We return NHWC images and map 10 to 0: the course's notebook forgets
// that mapping, so its classifier never sees a zero labelled as such.
func LoadSVHN(path string) (*Images, error) {
	vars, err := ReadMat(path)
	if err != nil {
		return nil, err
	}
	x, y := vars["X"], vars["y"]
	if x == nil || y == nil {
		var names []string
		for name := range vars {
			names = append(names, name)
		}
		return nil, fmt.Errorf("%s: not an SVHN file: need variables X and y, found %v", path, names)
	}
	if len(x.Dims) != 4 || x.Dims[0] != ImageSize || x.Dims[1] != ImageSize || x.Dims[2] != ImageChannels {
		return nil, fmt.Errorf("%s: X has dimensions %v, want 32x32x3xN", path, x.Dims)
	}
	n := x.Dims[3]
	if len(y.Data) != n {
		return nil, fmt.Errorf("%s: y has %d labels for %d images", path, len(y.Data), n)
	}
	im := NewImages(SVHNShape, n)
	for i, label := range y.Data {
		if label < 1 || label > 10 {
			return nil, fmt.Errorf("%s: label %d of image %d is outside 1..10", path, label, i)
		}
		im.Labels[i] = int32(label % 10)
	}
	forEachPixel(n, func(mat, nhwc int) { im.Pixels[nhwc] = x.Data[mat] })
	return im, nil
}

// forEachPixel calls fn with the index of every pixel value of n images in MATLAB's column-major layout
// (row + 32*(col + 32*(ch + 3*image))) and in our row-major NHWC layout, to convert either way.
func forEachPixel(n int, fn func(mat, nhwc int)) {
	const plane = ImageSize * ImageSize
	for i := 0; i < n; i++ {
		base := i * ImageValues
		for ch := 0; ch < ImageChannels; ch++ {
			for col := 0; col < ImageSize; col++ {
				for row := 0; row < ImageSize; row++ {
					fn(base+ch*plane+col*ImageSize+row, base+(row*ImageSize+col)*ImageChannels+ch)
				}
			}
		}
	}
}

// SaveSVHN writes images in SVHN's `.mat` layout (labels stored 1..10, 10 for the digit 0).
func SaveSVHN(path string, im *Images, compress bool) error {
	if im.Shape != SVHNShape {
		return fmt.Errorf("%s: SVHN's layout holds 32x32x3 images, not %s", path, im.Shape)
	}
	n := im.Len()
	x := &MatArray{Name: "X", Dims: []int{ImageSize, ImageSize, ImageChannels, n}, Data: make([]uint8, n*ImageValues)}
	y := &MatArray{Name: "y", Dims: []int{n, 1}, Data: make([]uint8, n)}
	forEachPixel(n, func(mat, nhwc int) { x.Data[mat] = im.Pixels[nhwc] })
	for i := 0; i < n; i++ {
		label := im.Labels[i]
		if label == 0 {
			label = 10
		}
		y.Data[i] = uint8(label)
	}
	return WriteMat(path, compress, x, y)
}

// SVHN file names inside a data directory.
const (
	TrainFile = "train_32x32.mat"
	TestFile  = "test_32x32.mat"
)

// LoadSVHNDir loads train_32x32.mat and test_32x32.mat from dir.
func LoadSVHNDir(dir string) (train, test *Images, err error) {
	if train, err = LoadSVHN(filepath.Join(dir, TrainFile)); err != nil {
		return nil, nil, err
	}
	if test, err = LoadSVHN(filepath.Join(dir, TestFile)); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}
