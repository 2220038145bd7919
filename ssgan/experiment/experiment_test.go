package experiment

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

func TestMeanSD(t *testing.T) {
	m, sd := meanSD([]float64{0.2, 0.4, 0.6})
	if math.Abs(m-0.4) > 1e-12 || math.Abs(sd-0.2) > 1e-12 {
		t.Fatalf("mean %g sd %g, want 0.4 and 0.2 (sample sd)", m, sd)
	}
}

func TestRun(t *testing.T) {
	cfg := tinyConfig()
	cfg.Epochs = 1
	sup := cfg
	sup.SupervisedOnly = true
	ds, err := data.NewDataset(data.SyntheticDigits(64, 1), data.SyntheticDigits(32, 2), data.DatasetOptions{Labels: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	exp := Experiment{Configs: map[string]ssgan.TrainConfig{"ssgan": cfg, "supervised_only": sup},
		Order: []string{"ssgan", "supervised_only"}, Seeds: []uint64{1, 2}}
	rep, err := Run(context.Background(), backend(t), ds, exp, out, "test", "synthetic", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != 4 || len(rep.Summaries) != 2 || rep.Summaries[0].Runs != 2 {
		t.Fatalf("runs %d summaries %+v", len(rep.Runs), rep.Summaries)
	}
	s := rep.Summaries[1]
	if m, _ := meanSD(s.FinalTests); m != s.FinalTestMean {
		t.Errorf("summary mean %g, runs give %g", s.FinalTestMean, m)
	}
	for _, name := range []string{"experiment.json", "experiment.md", "experiment.png", SplitFile, "ssgan_seed2/" + run.MetricsFile} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s", name)
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, "experiment.md"))
	if !strings.Contains(string(md), "| supervised_only | 2 |") {
		t.Errorf("markdown table lacks the supervised-only row:\n%s", md)
	}
	// Seed 2 ran on seed 1's model, reseeded: it must match a run of seed 2 alone.
	exp.Order, exp.Seeds = []string{"ssgan"}, []uint64{2}
	alone, err := Run(context.Background(), backend(t), ds, exp, t.TempDir(), "test", "synthetic", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, want := rep.Runs[1].History[0], alone.Runs[0].History[0]
	if rep.Runs[1].Seed != 2 || got.TestAcc != want.TestAcc || got.DLoss != want.DLoss || got.GLoss != want.GLoss {
		t.Errorf("seed 2 after seed 1: %+v; seed 2 alone: %+v", got, want)
	}
	var split struct {
		Pool     int
		Labelled []int
	}
	raw, _ := os.ReadFile(filepath.Join(out, SplitFile))
	if err := json.Unmarshal(raw, &split); err != nil || split.Pool != 64 || len(split.Labelled) != 20 {
		t.Errorf("split.json: %s (%v)", raw, err)
	}
}

// Experiments on the same data merge side by side, renamed by their label; other data is refused.
func TestMergeReports(t *testing.T) {
	a := &Report{Data: "split A", Command: "a", Summaries: []Summary{{Config: "ssgan"}}, Runs: []RunResult{{Config: "ssgan", Seed: 1}}}
	b := &Report{Data: "split A", Command: "b", Summaries: []Summary{{Config: "ssgan"}, {Config: "supervised_only"}}}
	rep, err := MergeReports([]string{"course", "improved"}, []*Report{a, b})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range rep.Summaries {
		names = append(names, s.Config)
	}
	if got := strings.Join(names, ","); got != "course ssgan,improved ssgan,improved supervised_only" || rep.Runs[0].Config != "course ssgan" {
		t.Errorf("merged configurations %q, runs %v", got, rep.Runs)
	}
	if a.Summaries[0].Config != "ssgan" {
		t.Error("merging renamed the input report's configurations")
	}
	if _, err := MergeReports([]string{"x", "y"}, []*Report{a, {Data: "split B"}}); err == nil {
		t.Error("reports on different data merged")
	}
}

// tinyConfig is the course's setting at a size that trains in milliseconds.
func tinyConfig() ssgan.TrainConfig {
	cfg := ssgan.DefaultTrainConfig()
	cfg.Model.DSize, cfg.Model.GSize, cfg.Model.ZDim = 4, 2, 8
	cfg.BatchSize, cfg.BNBatches = 16, 2
	return cfg
}

// backend is GoMLX's pure-Go backend, so the test never looks for XLA.
func backend(t *testing.T) compute.Backend {
	t.Helper()
	b, err := engine.Open("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
