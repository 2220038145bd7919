package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
	"github.com/ssgan-go/ssgan-go/ssgan/experiment"
)

// experimentCommand trains several configurations over several seeds on a fixed split of one SVHN-layout file
// (the first -pool images to train on, with -labels balanced labels drawn once, the rest held apart for
// evaluation), MNIST's official split, or a folder of images (-data_dir: its test/ or held-apart images),
// and writes experiment.json, experiment.md and experiment.png.
func experimentCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := ssgan.DefaultConfig("", "", "")
	fs := flag.NewFlagSet("experiment", flag.ContinueOnError)
	dataFile := fs.String("data_file", "", "SVHN-layout .mat file to split (required for svhn)")
	dataDir := fs.String("data", "", "-dataset mnist: directory with the four MNIST files (the official 60,000/10,000 split)")
	recipeFlags(fs, &cfg)
	modelFlags(fs, &cfg)
	runFlags(fs, &cfg)
	outDir := fs.String("out", "", "output directory (required)")
	pool := fs.Int("pool", 8000, "the first N images are the training pool; the rest are held apart for evaluation")
	maxTest := fs.Int("max_test", 0, "-data_file: test on the first N held-apart images only (0: all); with -pool 8000 and -max_test 2000 "+
		"the split is the same in SVHN's whole test file and in its first 10,000 images")
	seedList := fs.String("seeds", "1,2,3", "comma-separated training seeds")
	configList := fs.String("configs", "ssgan,supervised_only", "comma-separated configurations: ssgan, supervised_only")
	splitOnly := fs.Bool("split_only", false, "only write the split (split.json) to -out, for the PyTorch twin")
	merge := fs.String("merge", "", "instead of training: put finished experiments side by side in -out, as LABEL=DIR,LABEL=DIR (one table, one figure)")
	imageSize, grey := folderFlags(fs, &cfg)
	if err := parseConfig(fs, args, &cfg, stderr); err != nil {
		return err
	}
	applyFolderFlags(&cfg, *imageSize, *grey)
	if *merge != "" {
		return mergeExperiments(*merge, *outDir, stdout)
	}
	mnist, folder := cfg.Data.Dataset == data.DatasetMNIST, cfg.Data.Dataset == data.DatasetFolder
	switch {
	case *outDir == "":
		return usageError{errors.New("-out is required")}
	case mnist && *dataDir == "":
		return usageError{errors.New("-dataset mnist needs -data DIR (the four MNIST files)")}
	case folder && *dataFile != "":
		return usageError{errors.New("-data_dir and -data_file: choose one source of images")}
	case !mnist && !folder && *dataFile == "":
		return usageError{errors.New("-data_file is required (an SVHN-layout .mat file), or -data_dir (a folder of images)")}
	case *maxTest < 0:
		return usageError{fmt.Errorf("-max_test %d: must be >= 0", *maxTest)}
	case *maxTest > 0 && *dataFile == "":
		return usageError{errors.New("-max_test works with -data_file only (MNIST's and a folder's test sets are used whole)")}
	}
	var seeds []uint64
	for _, s := range strings.Split(*seedList, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return usageError{fmt.Errorf("-seeds %q: %v", *seedList, err)}
		}
		seeds = append(seeds, v)
	}
	exp := experiment.Experiment{Configs: map[string]ssgan.TrainConfig{}, Seeds: seeds}
	for _, name := range strings.Split(*configList, ",") {
		c := cfg
		switch name = strings.TrimSpace(name); name {
		case "ssgan":
		case "supervised_only":
			c.SupervisedOnly = true
		default:
			return usageError{fmt.Errorf("-configs: unknown configuration %q (want ssgan or supervised_only)", name)}
		}
		if err := c.Validate(); err != nil {
			return usageError{err}
		}
		exp.Configs[name] = c
		exp.Order = append(exp.Order, name)
	}
	// The split is drawn once (label pick seed 1) and shared by every configuration and seed.
	opt := data.DatasetOptions{Dataset: cfg.Data.Dataset, Labels: cfg.Data.Labels, Seed: 1}
	dir, what := *dataDir, ""
	switch {
	case mnist:
		what = "MNIST in " + *dataDir
	case folder:
		opt = cfg.Data // Its folder made absolute by applyFolderFlags.
		opt.Seed = 1
		what = "folder " + cfg.Data.Dir
	default:
		file, err := filepath.Abs(*dataFile)
		if err != nil {
			return err
		}
		opt.File, opt.Pool, opt.MaxTest, dir, what = file, *pool, *maxTest, "", *dataFile
	}
	ds, err := data.LoadDataset(ctx, dir, opt, false, stderr)
	if err != nil {
		if !mnist && (*pool < 1 || strings.Contains(err.Error(), "training pool")) {
			return usageError{fmt.Errorf("-pool %d: %v", *pool, err)}
		}
		return err
	}
	for name, c := range exp.Configs { // Recorded in each checkpoint, so eval scores the same held-apart images.
		c.Data, c.Model.Classes = opt, ds.Classes
		exp.Configs[name] = c
	}
	if *splitOnly {
		return experiment.WriteSplit(filepath.Join(*outDir, experiment.SplitFile), ds)
	}
	backend, err := engine.NewBackend(stderr)
	if err != nil {
		return err
	}
	rep, err := experiment.Run(ctx, backend, ds, exp, *outDir, "ssgan experiment "+strings.Join(args, " "),
		fmt.Sprintf("%s: %d training images (%d labelled), %d held apart", what, ds.Train.Len(), len(ds.Labelled()), ds.Test.Len()), stdout)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.Markdown())
	return nil
}

// mergeExperiments writes one report for several finished experiments: spec is LABEL=DIR,LABEL=DIR.
func mergeExperiments(spec, outDir string, stdout io.Writer) error {
	if outDir == "" {
		return usageError{errors.New("-out is required")}
	}
	var labels []string
	var reports []*experiment.Report
	for _, item := range strings.Split(spec, ",") {
		label, dir, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok || label == "" || dir == "" {
			return usageError{fmt.Errorf("-merge %q: want LABEL=DIR,LABEL=DIR", spec)}
		}
		rep, err := experiment.ReadReport(filepath.Join(dir, "experiment.json"))
		if err != nil {
			return err
		}
		labels, reports = append(labels, label), append(reports, rep)
	}
	rep, err := experiment.MergeReports(labels, reports)
	if err != nil {
		return err
	}
	if err := experiment.WriteReport(rep, outDir); err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.Markdown())
	return nil
}
