package data

import "math/rand/v2"

// glyphs is a 5x7 bitmap font for the digits 0..9, one string per row ('#' = ink).
var glyphs = [NumClasses][7]string{
	{" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "},
	{"  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "},
	{" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"},
	{"#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "},
	{"   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "},
	{"#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "},
	{"  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "},
	{"#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "},
	{" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "},
	{" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "},
}

// SyntheticDigits makes n SVHN-shaped images of printed digits: a random background and ink colour,
// a glyph scaled 3x with a random offset, and pixel noise. Labels are balanced-at-random 0..9.
//
// They stand in for SVHN where it cannot be downloaded: tests, CI, and speed runs at the full data-set
// sizes (speed does not depend on the pixels). A small model learns them well above chance in a few
// hundred steps, which makes them a fair end-to-end check.
func SyntheticDigits(n int, seed uint64) *Images {
	rng := rand.New(rand.NewPCG(seed, 0x5e7))
	im := NewImages(SVHNShape, n)
	const scale = 3
	for i := 0; i < n; i++ {
		digit := rng.IntN(NumClasses)
		im.Labels[i] = int32(digit)
		var bg, ink [ImageChannels]float64
		for c := range bg {
			bg[c] = 40 + 80*rng.Float64()
			ink[c] = 150 + 100*rng.Float64()
		}
		if rng.IntN(2) == 0 { // Dark ink on light background half of the time, as in house numbers.
			bg, ink = ink, bg
		}
		dx, dy := 8+rng.IntN(4)-2, 5+rng.IntN(4)-2 // 15x21 glyph, roughly centred.
		px := im.Pixels[i*ImageValues : (i+1)*ImageValues]
		for y := 0; y < ImageSize; y++ {
			for x := 0; x < ImageSize; x++ {
				gx, gy := (x-dx)/scale, (y-dy)/scale
				on := x >= dx && y >= dy && gx < 5 && gy < 7 && glyphs[digit][gy][gx] == '#'
				for c := 0; c < ImageChannels; c++ {
					v := bg[c]
					if on {
						v = ink[c]
					}
					v += rng.NormFloat64() * 12
					px[(y*ImageSize+x)*ImageChannels+c] = uint8(min(255, max(0, v)))
				}
			}
		}
	}
	return im
}
