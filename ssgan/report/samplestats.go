package report

import "github.com/ssgan-go/ssgan-go/ssgan/data"

// Two numbers that tell a generator making images from one stuck on a texture, without looking:
//
//   - NeighbourDifference, the mean absolute difference between horizontally adjacent pixels. Real SVHN
//     digits are mostly flat background with a few strokes (0.064 on the [-1, 1] scale); a checkerboard
//     or a fine periodic texture scores several times that (0.5 and more).
//   - SampleSpread, the mean over pixels of the variance across samples. A generator that ignores z makes
//     the same image for every z and scores near 0.

// NeighbourDifference is the mean |x[y][x][c] - x[y][x+1][c]| of images of the given shape in [-1,1].
func NeighbourDifference(pixels []float32, shape data.Shape) float64 {
	v, row := shape.Values(), shape.Width*shape.Channels
	n := len(pixels) / v
	if n == 0 || shape.Width < 2 {
		return 0
	}
	var sum float64
	for i := 0; i < n; i++ {
		img := pixels[i*v : (i+1)*v]
		for y := 0; y < shape.Height; y++ {
			r := img[y*row : (y+1)*row]
			for j := 0; j+shape.Channels < len(r); j++ {
				d := r[j] - r[j+shape.Channels]
				if d < 0 {
					d = -d
				}
				sum += float64(d)
			}
		}
	}
	return sum / float64(n*shape.Height*(shape.Width-1)*shape.Channels)
}

// SampleSpread is the mean over pixel positions of the variance across images of the given shape.
func SampleSpread(pixels []float32, shape data.Shape) float64 {
	v := shape.Values()
	n := len(pixels) / v
	if n < 2 {
		return 0
	}
	var total float64
	for p := 0; p < v; p++ {
		var s, s2 float64
		for i := 0; i < n; i++ {
			x := float64(pixels[i*v+p])
			s += x
			s2 += x * x
		}
		mean := s / float64(n)
		total += s2/float64(n) - mean*mean
	}
	return total / float64(v)
}
