package data

import "fmt"

// The one image type of every data set (SVHN, MNIST, folders, generated digits): pixels as
// bytes in NHWC order, with their shape and labels. It lives here, not with any one format.

// Shape is the size of one image: height, width and channels (3 for colour, 1 for grey).
type Shape struct{ Height, Width, Channels int }

// SVHNShape is SVHN's cropped digits: 32x32 colour. MNISTShape is MNIST's: 28x28 grey.
var (
	SVHNShape  = Shape{ImageSize, ImageSize, ImageChannels}
	MNISTShape = Shape{MNISTSize, MNISTSize, 1}
)

// DigitNames are the class names of SVHN and MNIST: "0" to "9".
func DigitNames() []string {
	names := make([]string, NumClasses)
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	return names
}

// Values is the number of bytes (or floats) of one image.
func (s Shape) Values() int { return s.Height * s.Width * s.Channels }

// String is HxWxC.
func (s Shape) String() string { return fmt.Sprintf("%dx%dx%d", s.Height, s.Width, s.Channels) }

// Images holds N images of one shape in row-major NHWC order as raw bytes (0..255), and their labels
// 0..K-1 (SVHN's and MNIST's: the digits 0..9). Bytes keep SVHN's 73,257 training images at 225 MB; pixels become floats only when a batch is
// built, in the range the network reads (Range).
type Images struct {
	Shape
	Pixels []uint8 // N*Height*Width*Channels, NHWC.
	Labels []int32 // N: class indices (SVHN, MNIST: the digits 0..9).
}

// NewImages allocates n zero images of the given shape.
func NewImages(shape Shape, n int) *Images {
	return &Images{Shape: shape, Pixels: make([]uint8, n*shape.Values()), Labels: make([]int32, n)}
}

// Len returns the number of images.
func (im *Images) Len() int { return len(im.Labels) }

// Image returns the bytes of image i (sharing memory with im).
func (im *Images) Image(i int) []uint8 {
	v := im.Values()
	return im.Pixels[i*v : (i+1)*v]
}

// Subset returns the images at the given indices (copied).
func (im *Images) Subset(indices []int) *Images {
	out := NewImages(im.Shape, len(indices))
	for i, idx := range indices {
		copy(out.Image(i), im.Image(idx))
		out.Labels[i] = im.Labels[idx]
	}
	return out
}

// Head returns the first n images (all of them if n <= 0 or n >= Len). It shares memory with im.
func (im *Images) Head(n int) *Images {
	if n <= 0 || n >= im.Len() {
		return im
	}
	return &Images{Shape: im.Shape, Pixels: im.Pixels[:n*im.Values()], Labels: im.Labels[:n]}
}
