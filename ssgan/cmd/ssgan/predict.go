package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// prediction is one file's answer (the -json form): the class by name and by label index (for SVHN and
// MNIST the name is the digit).
type prediction struct {
	File          string  `json:"file"`
	Class         string  `json:"class"`
	Label         int     `json:"label"`
	Probability   float32 `json:"probability"`
	RunnerUpClass string  `json:"runner_up_class"`
	RunnerUp      int     `json:"runner_up_label"`
	RunnerUpP     float32 `json:"runner_up_probability"`
	Error         string  `json:"error,omitempty"`
}

// predict classifies image files (any size, colour or grey, in the formats data.ReadImageFile reads) with
// a checkpoint: one line per
// file. A file that cannot be read as an image gets a line saying so; the others are still predicted,
// and the exit status is non-zero at the end.
func predict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	ckpt := fs.String("ckpt", "", "checkpoint directory (a train -out directory) (required)")
	asJSON := fs.Bool("json", false, "one JSON object per line instead of text")
	maxPixels := fs.Int64("max_pixels", data.MaxImagePixels, "refuse, from its header and before decoding, an image that declares more pixels than this (width x height)")
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	files, err := flagsAndFiles(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stderr, "usage: ssgan predict -ckpt DIR [-json] [-max_pixels N] IMAGE... (flags by purpose):")
		printGroupedFlags(stderr, fs)
		return err
	}
	if err != nil {
		return usageError{err}
	}
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
	m, err := checkpointModel(ck, stderr)
	if err != nil {
		return err
	}
	shape, names := m.InputShape(), m.Config.Model.ClassNames()
	failed := 0
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted")
		}
		pred := prediction{File: file}
		pixels, err := data.ReadImageFile(file, shape, *maxPixels)
		if err == nil {
			var probs [][]float32
			if probs, err = m.Probabilities(pixels, 1); err == nil {
				pred.Label, pred.Probability, pred.RunnerUp, pred.RunnerUpP = topTwo(probs[0])
				pred.Class, pred.RunnerUpClass = names[pred.Label], names[pred.RunnerUp]
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
			fmt.Fprintf(stdout, "%s: %s (p=%.3f), runner-up %s (p=%.3f)\n", file, pred.Class, pred.Probability, pred.RunnerUpClass, pred.RunnerUpP)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be predicted", failed, len(files))
	}
	return nil
}

// topTwo returns the most and second most probable classes.
func topTwo(probs []float32) (d1 int, p1 float32, d2 int, p2 float32) {
	idx := make([]int, len(probs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return probs[idx[a]] > probs[idx[b]] })
	return idx[0], probs[idx[0]], idx[1], probs[idx[1]]
}

// flagsAndFiles parses flags before, between and after the file names ("predict -ckpt DIR photo.png
// -json"), which Go's flag package alone stops at the first file to do; after "--" every argument is a file.
func flagsAndFiles(fs *flag.FlagSet, args []string) (files []string, err error) {
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		parsed := len(rest) - fs.NArg()
		if rest = fs.Args(); parsed > 0 && args[len(args)-len(rest)-1] == "--" {
			return append(files, rest...), nil
		}
		for len(rest) > 0 && (len(rest[0]) < 2 || rest[0][0] != '-') {
			files, rest = append(files, rest[0]), rest[1:]
		}
		if len(rest) == 0 {
			return files, nil
		}
	}
}
