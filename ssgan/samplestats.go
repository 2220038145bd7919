package ssgan

import "github.com/ssgan-go/ssgan-go/ssgan/data"

// Two numbers that tell a generator making images from one stuck on a texture, without looking:
//
//   - NeighbourDifference, the mean absolute difference between horizontally adjacent pixels. Real SVHN
//     digits are mostly flat background with a few strokes (0.064 on the [-1, 1] scale); a checkerboard
//     or a fine periodic texture scores several times that (0.5 and more).
//   - SampleSpread, the mean over pixels of the variance across samples. A generator that ignores z makes
//     the same image for every z and scores near 0.

// NeighbourDifference is the mean |x[y][x][c] - x[y][x+1][c]| of n images [n,32,32,3] in [-1,1].
func NeighbourDifference(pixels []float32) float64 {
	n := len(pixels) / data.ImageValues
	if n == 0 {
		return 0
	}
	var sum float64
	for i := 0; i < n; i++ {
		img := pixels[i*data.ImageValues : (i+1)*data.ImageValues]
		for y := 0; y < data.ImageSize; y++ {
			row := img[y*data.ImageSize*data.ImageChannels : (y+1)*data.ImageSize*data.ImageChannels]
			for j := 0; j+data.ImageChannels < len(row); j++ {
				d := row[j] - row[j+data.ImageChannels]
				if d < 0 {
					d = -d
				}
				sum += float64(d)
			}
		}
	}
	return sum / float64(n*data.ImageSize*(data.ImageSize-1)*data.ImageChannels)
}

// SampleSpread is the mean over pixel positions of the variance across n images [n,32,32,3].
func SampleSpread(pixels []float32) float64 {
	n := len(pixels) / data.ImageValues
	if n < 2 {
		return 0
	}
	var total float64
	for p := 0; p < data.ImageValues; p++ {
		var s, s2 float64
		for i := 0; i < n; i++ {
			v := float64(pixels[i*data.ImageValues+p])
			s += v
			s2 += v * v
		}
		mean := s / float64(n)
		total += s2/float64(n) - mean*mean
	}
	return total / data.ImageValues
}
