package data

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"  // Registers GIF decoding.
	_ "image/jpeg" // Registers JPEG decoding.
	"image/png"    // Registers PNG decoding, and encodes WriteFolder's files.
	"io"
	"os"
	"path/filepath"

	_ "golang.org/x/image/bmp"  // Registers BMP decoding.
	_ "golang.org/x/image/tiff" // Registers TIFF decoding.
	_ "golang.org/x/image/webp" // Registers WebP decoding.
)

// imageFormats are the formats ReadImageFile decodes, for its messages.
const imageFormats = "PNG, JPEG, GIF, BMP, TIFF or WebP"

// MaxImagePixels is the default limit on the pixels (width × height) an image file may declare before
// ReadImageFile decodes it: Pillow's default (Image.MAX_IMAGE_PIXELS, 89,478,485: a quarter GiB at 3
// bytes a pixel). A PNG of a few hundred kilobytes can declare 20,000 × 20,000 pixels and so ask a
// decoder for gigabytes; the header says so before anything is decoded.
const MaxImagePixels = 89478485

// ReadImageFile decodes an image file (imageFormats) of any size, colour or grey, and resamples it to shape (each
// output pixel the mean of the source pixels it covers), as bytes in row-major HWC order (grey for one
// channel, RGB for three). A file whose header declares more than maxPixels pixels is refused before it
// is decoded, with an error naming the declared size and the limit; maxPixels <= 0 means MaxImagePixels.
func ReadImageFile(path string, shape Shape, maxPixels int64) ([]uint8, error) {
	if maxPixels <= 0 {
		maxPixels = MaxImagePixels
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("not an image (%s): %v", imageFormats, err)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > maxPixels {
		return nil, fmt.Errorf("declares %d x %d pixels (%d), above the limit of %d: refused before decoding (a decompression bomb, or raise the limit with -max_pixels)",
			cfg.Width, cfg.Height, px, maxPixels)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("not an image (%s): %v", imageFormats, err)
	}
	return resample(img, shape)
}

// resample averages img down (or up) to shape's height and width.
func resample(img image.Image, shape Shape) ([]uint8, error) {
	b := img.Bounds()
	if b.Dx() < 1 || b.Dy() < 1 {
		return nil, fmt.Errorf("empty image")
	}
	h, w, channels := shape.Height, shape.Width, shape.Channels
	if channels != 1 && channels != 3 {
		return nil, fmt.Errorf("images of %d channels: want 1 (grey) or 3 (colour)", channels)
	}
	out := make([]uint8, shape.Values())
	for oy := 0; oy < h; oy++ {
		y0, y1 := b.Min.Y+oy*b.Dy()/h, b.Min.Y+max((oy+1)*b.Dy()/h, oy*b.Dy()/h+1)
		for ox := 0; ox < w; ox++ {
			x0, x1 := b.Min.X+ox*b.Dx()/w, b.Min.X+max((ox+1)*b.Dx()/w, ox*b.Dx()/w+1)
			var sum [3]float64
			n := 0.0
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
					sum[0] += float64(c.R)
					sum[1] += float64(c.G)
					sum[2] += float64(c.B)
					n++
				}
			}
			o := (oy*w + ox) * channels
			if channels == 1 {
				out[o] = uint8((0.299*sum[0] + 0.587*sum[1] + 0.114*sum[2]) / n)
			} else {
				for c := 0; c < 3; c++ {
					out[o+c] = uint8(sum[c] / n)
				}
			}
		}
	}
	return out, nil
}

// PNG encodes image i as a PNG (grey for one channel, RGB for three).
func (im *Images) PNG(i int) ([]byte, error) {
	px := im.Image(i)
	var img image.Image
	switch im.Channels {
	case 1:
		g := image.NewGray(image.Rect(0, 0, im.Width, im.Height))
		copy(g.Pix, px)
		img = g
	case 3:
		rgba := image.NewRGBA(image.Rect(0, 0, im.Width, im.Height))
		for p := 0; p < im.Width*im.Height; p++ {
			copy(rgba.Pix[4*p:4*p+3], px[3*p:3*p+3])
			rgba.Pix[4*p+3] = 255
		}
		img = rgba
	default:
		return nil, fmt.Errorf("images of %d channels: PNG export takes 1 or 3", im.Channels)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFolder writes the images at idx as PNG files in a folder data set's layout (LoadFolder):
// root/split/<class name>/NNNNNN.png, named by their index in im, where names gives each label's class
// name; with names nil, root/split/NNNNNN.png (unlabelled images: split is FolderUnlabelled, or a folder
// inside it).
func WriteFolder(root, split string, im *Images, idx []int, names []string) error {
	for _, i := range idx {
		dir := filepath.Join(root, split)
		if names != nil {
			l := int(im.Labels[i])
			if l < 0 || l >= len(names) {
				return fmt.Errorf("image %d: label %d has no class name (%d names)", i, l, len(names))
			}
			dir = filepath.Join(dir, names[l])
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		b, err := im.PNG(i)
		if err != nil {
			return err
		}
		if err := WriteFileAtomic(filepath.Join(dir, fmt.Sprintf("%06d.png", i)), b); err != nil {
			return err
		}
	}
	return nil
}
