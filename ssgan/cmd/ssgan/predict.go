package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // Registers JPEG decoding.
	_ "image/png"  // Registers PNG decoding.
	"io"
	"os"
	"sort"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// prediction is one file's answer (the -json form).
type prediction struct {
	File        string  `json:"file"`
	Digit       int     `json:"digit"`
	Probability float32 `json:"probability"`
	RunnerUp    int     `json:"runner_up"`
	RunnerUpP   float32 `json:"runner_up_probability"`
	Error       string  `json:"error,omitempty"`
}

// predict classifies image files (PNG or JPEG, any size, colour or grey) with a checkpoint: one line per
// file. A file that cannot be read as an image gets a line saying so; the others are still predicted,
// and the exit status is non-zero at the end.
func predict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	ckpt := fs.String("ckpt", "", "checkpoint directory (a train -out directory) (required)")
	asJSON := fs.Bool("json", false, "one JSON object per line instead of text")
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "usage: ssgan predict -ckpt DIR [-json] IMAGE...")
			return err
		}
		return usageError{err}
	}
	files := fs.Args()
	switch {
	case *ckpt == "":
		return usageError{errors.New("-ckpt is required")}
	case len(files) == 0:
		return usageError{errors.New("no image files given")}
	}
	ck, err := ssgan.OpenCheckpoint(*ckpt)
	if err != nil {
		return err
	}
	backend, err := ssgan.NewBackend(stderr)
	if err != nil {
		return err
	}
	m, err := ck.Model(backend)
	if err != nil {
		return err
	}
	shape := m.InputShape()
	failed := 0
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted")
		}
		pred := prediction{File: file}
		pixels, err := readImage(file, shape)
		if err == nil {
			var probs [][]float32
			if probs, err = m.Probabilities(pixels, 1); err == nil {
				pred.Digit, pred.Probability, pred.RunnerUp, pred.RunnerUpP = topTwo(probs[0])
			}
		}
		if err != nil {
			failed++
			pred.Error = err.Error()
		}
		switch {
		case *asJSON:
			line, _ := json.Marshal(pred)
			fmt.Fprintln(stdout, string(line))
		case pred.Error != "":
			fmt.Fprintf(stdout, "%s: error: %s\n", file, oneLine(pred.Error))
		default:
			fmt.Fprintf(stdout, "%s: %d (p=%.3f), runner-up %d (p=%.3f)\n", file, pred.Digit, pred.Probability, pred.RunnerUp, pred.RunnerUpP)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be predicted", failed, len(files))
	}
	return nil
}

// topTwo returns the most and second most probable digits.
func topTwo(probs []float32) (d1 int, p1 float32, d2 int, p2 float32) {
	idx := make([]int, len(probs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return probs[idx[a]] > probs[idx[b]] })
	return idx[0], probs[idx[0]], idx[1], probs[idx[1]]
}

// readImage decodes a PNG or JPEG and resamples it to the shape's height and width (each output pixel the
// mean of the source pixels it covers), as grey bytes (one channel) or RGB bytes, row-major.
func readImage(path string, shape data.Shape) ([]uint8, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("not a PNG or JPEG image: %v", err)
	}
	b := img.Bounds()
	if b.Dx() < 1 || b.Dy() < 1 {
		return nil, fmt.Errorf("empty image")
	}
	h, w, channels := shape.Height, shape.Width, shape.Channels
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
