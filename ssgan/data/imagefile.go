package data

import (
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // Registers JPEG decoding.
	_ "image/png"  // Registers PNG decoding.
	"io"
	"os"
)

// MaxImagePixels is the default limit on the pixels (width × height) an image file may declare before
// ReadImageFile decodes it: Pillow's default (Image.MAX_IMAGE_PIXELS, 89,478,485: a quarter GiB at 3
// bytes a pixel). A PNG of a few hundred kilobytes can declare 20,000 × 20,000 pixels and so ask a
// decoder for gigabytes; the header says so before anything is decoded.
const MaxImagePixels = 89478485

// ReadImageFile decodes a PNG or JPEG file of any size, colour or grey, and resamples it to shape (each
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
		return nil, fmt.Errorf("not a PNG or JPEG image: %v", err)
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
		return nil, fmt.Errorf("not a PNG or JPEG image: %v", err)
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
