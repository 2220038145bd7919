package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// TestParseConfig: one parse gives the defaults of the data set, recipe and network asked for, wherever
// their flags stand, with every flag given kept on top of them.
func TestParseConfig(t *testing.T) {
	mnist := ssgan.DefaultConfig(data.DatasetMNIST, "", "")
	svhn := ssgan.DefaultConfig("", "", "")
	for _, tc := range []struct {
		args    []string
		dataset string
		recipe  string
		lr      float64
		batch   int
		labels  int
	}{
		{nil, svhn.Data.Dataset, ssgan.RecipeCourse, svhn.LearningRate, svhn.BatchSize, svhn.Data.Labels},
		{[]string{"-dataset", "mnist"}, data.DatasetMNIST, ssgan.RecipeImproved, mnist.LearningRate, mnist.BatchSize, mnist.Data.Labels},
		{[]string{"-lr", "0.01", "-dataset=mnist"}, data.DatasetMNIST, ssgan.RecipeImproved, 0.01, mnist.BatchSize, mnist.Data.Labels},
		{[]string{"--dataset", "mnist", "-batch", "50", "-labels", "20"}, data.DatasetMNIST, ssgan.RecipeImproved, mnist.LearningRate, 50, 20},
		{[]string{"-model", "mlp"}, svhn.Data.Dataset, ssgan.RecipeImproved, mnist.LearningRate, mnist.BatchSize, svhn.Data.Labels},
		{[]string{"-recipe", "improved", "-lr", "0.001"}, svhn.Data.Dataset, ssgan.RecipeImproved, 0.001, svhn.BatchSize, svhn.Data.Labels},
		{[]string{"-data_dir", "pics"}, data.DatasetFolder, ssgan.RecipeCourse, svhn.LearningRate, svhn.BatchSize, 0},
	} {
		cfg := ssgan.DefaultConfig("", "", "")
		fs := flag.NewFlagSet("train", flag.ContinueOnError)
		recipeFlags(fs, &cfg)
		modelFlags(fs, &cfg)
		runFlags(fs, &cfg)
		folderFlags(fs, &cfg)
		if err := parseConfig(fs, tc.args, &cfg, io.Discard); err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		got := []any{cfg.Data.Dataset, cfg.Recipe, cfg.LearningRate, cfg.BatchSize, cfg.Data.Labels}
		want := []any{tc.dataset, tc.recipe, tc.lr, tc.batch, tc.labels}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q: got dataset, recipe, lr, batch, labels = %v, want %v", tc.args, got, want)
				break
			}
		}
	}
	cfg := ssgan.DefaultConfig("", "", "")
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	recipeFlags(fs, &cfg)
	if err := parseConfig(fs, []string{"-dataset"}, &cfg, io.Discard); err == nil {
		t.Errorf("-dataset without a value: no error")
	}
}

// predict takes its flags before, between or after the file names; after "--" everything is a file.
func TestFlagsAndFiles(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		files string
		json  bool
	}{
		{[]string{"-json", "a.png", "b.png"}, "a.png b.png", true},
		{[]string{"a.png", "-json", "b.png"}, "a.png b.png", true},
		{[]string{"a.png", "b.png", "-json"}, "a.png b.png", true},
		{[]string{"a.png", "--", "-json"}, "a.png -json", false},
		{[]string{"--", "-json", "a.png"}, "-json a.png", false},
		{[]string{"a.png", "-"}, "a.png -", false},
		{nil, "", false},
	} {
		fs := flag.NewFlagSet("predict", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		asJSON := fs.Bool("json", false, "")
		files, err := flagsAndFiles(fs, tc.args)
		if err != nil || strings.Join(files, " ") != tc.files || *asJSON != tc.json {
			t.Errorf("%q: files %q, -json %v, err %v; want %q, %v", tc.args, files, *asJSON, err, tc.files, tc.json)
		}
	}
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := flagsAndFiles(fs, []string{"a.png", "-nope"}); err == nil {
		t.Error("an unknown flag after a file: no error")
	}
}

// -h shows the defaults of the data set, recipe and network given before it.
func TestHelpShowsTheDefaultsAskedFor(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "-h"}, "initial learning rate of both players (default 0.0003)"},
		{[]string{"train", "-dataset", "mnist", "-h"}, "initial learning rate of both players (default 0.003)"},
		{[]string{"experiment", "-model", "mlp", "-h"}, "batch size (default 100)"},
		{[]string{"train", "-data_dir", "pics", "-h"}, "held apart to test on (default 0.2)"},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, want %q in:\n%s", tc.args, code, tc.want, stderr)
		}
	}
}

// TestSettingsThatCannotApplyAreRefused: a flag that the run would ignore, or a value that trains nothing,
// is refused in one line naming it, before anything is trained or written.
func TestSettingsThatCannotApplyAreRefused(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-synthetic", "-image_size", "100000"}, "-image_size applies to a folder of your own images (-data_dir) only; this run reads generated digits"},
		{[]string{"-dataset", "mnist", "-grey"}, "-grey applies to a folder of your own images (-data_dir) only; this run reads MNIST"},
		{[]string{"-hold_out", "0.3"}, "-hold_out applies to a folder of your own images (-data_dir) only; this run reads SVHN"},
		{[]string{"-synthetic", "-labels", "0"}, "labels 0: with no labelled image"},
		{[]string{"-synthetic", "-adam_epsilon", "inside"}, "adam_epsilon inside with recipe course"},
	} {
		code, _, stderr := runCLI(append([]string{"train", "-out", out, "-epochs", "1"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, %q: want 2 and one line saying %q", tc.args, code, stderr, tc.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: -out was created for a refused run (%v)", tc.args, err)
		}
	}
}
