package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/compute"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/report"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// Experiment compares training configurations over several seeds on one fixed data split.
type Experiment struct {
	Configs map[string]ssgan.TrainConfig // By name, e.g. "ssgan" and "supervised_only".
	Order   []string                     // Names in report order.
	Seeds   []uint64
}

// RunResult is one configuration trained with one seed.
type RunResult struct {
	Config  string             `json:"config"`
	Seed    uint64             `json:"seed"`
	History []run.EpochMetrics `json:"history"`
	Seconds float64            `json:"seconds"`
}

// Summary aggregates the runs of one configuration.
type Summary struct {
	Config        string    `json:"config"`
	Runs          int       `json:"runs"`
	FinalTestMean float64   `json:"final_test_acc_mean"`
	FinalTestSD   float64   `json:"final_test_acc_sd"`
	FinalTests    []float64 `json:"final_test_accs"`
	StepSeconds   float64   `json:"step_seconds_mean"`
	RunSeconds    float64   `json:"run_seconds_mean"`
}

// Report is what Run writes as experiment.json.
type Report struct {
	Command   string      `json:"command"`
	Backend   string      `json:"backend"`
	Data      string      `json:"data"`
	Summaries []Summary   `json:"summaries"`
	Runs      []RunResult `json:"runs"`
}

// Run trains every configuration with every seed on ds, each run writing its usual outputs to
// outDir/<config>_seed<N>/, then writes experiment.json, experiment.md (mean ± sd table) and
// experiment.png (test accuracy per epoch, every run) to outDir.
func Run(ctx context.Context, backend compute.Backend, ds *data.Dataset, exp Experiment, outDir, command, data string, log io.Writer) (*Report, error) {
	rep := &Report{Command: command, Backend: backend.Description(), Data: data}
	if err := WriteSplit(filepath.Join(outDir, SplitFile), ds); err != nil {
		return nil, err
	}
	models := map[string]*ssgan.Model{} // One per configuration, reseeded between seeds: its graphs compile once.
	for _, name := range exp.Order {
		for _, seed := range exp.Seeds {
			cfg := exp.Configs[name]
			cfg.Seed = seed
			if log != nil {
				fmt.Fprintf(log, "== %s, seed %d\n", name, seed)
			}
			start := time.Now()
			opt := ssgan.RunOptions{OutDir: filepath.Join(outDir, fmt.Sprintf("%s_seed%d", name, seed)), Log: log, SampleEvery: 1 << 30}
			m, err := reuse(models, name, seed, func() (*ssgan.Model, error) { return ssgan.NewModel(backend, cfg, ssgan.ReferencePieces()) })
			if err != nil {
				return nil, fmt.Errorf("%s seed %d: %w", name, seed, err)
			}
			history, err := ssgan.Train(ctx, m, ds, opt)
			if err != nil {
				return nil, fmt.Errorf("%s seed %d: %w", name, seed, err)
			}
			rep.Runs = append(rep.Runs, RunResult{Config: name, Seed: seed, History: history, Seconds: time.Since(start).Seconds()})
		}
	}
	for _, name := range exp.Order {
		s := Summary{Config: name}
		var steps float64
		for _, r := range rep.Runs {
			if r.Config != name || len(r.History) == 0 {
				continue
			}
			last := r.History[len(r.History)-1]
			s.FinalTests = append(s.FinalTests, last.TestAcc)
			steps += last.StepSeconds
			s.RunSeconds += r.Seconds
			s.Runs++
		}
		if s.Runs > 0 {
			s.FinalTestMean, s.FinalTestSD = meanSD(s.FinalTests)
			s.StepSeconds, s.RunSeconds = steps/float64(s.Runs), s.RunSeconds/float64(s.Runs)
		}
		rep.Summaries = append(rep.Summaries, s)
	}
	if err := writeReport(rep, outDir); err != nil {
		return nil, err
	}
	return rep, nil
}

// reuse returns name's model from cache reseeded with seed, or, the first time, a new one from create,
// which it keeps there.
func reuse(cache map[string]*ssgan.Model, name string, seed uint64, create func() (*ssgan.Model, error)) (*ssgan.Model, error) {
	if m, ok := cache[name]; ok {
		return m, m.Reseed(seed)
	}
	m, err := create()
	if err == nil {
		cache[name] = m
	}
	return m, err
}

// SplitFile names the description of an experiment's data split, for other implementations (the PyTorch twin).
const SplitFile = "split.json"

// WriteSplit writes how many training images the pool holds and which of them are labelled, so another
// implementation can train on exactly the same images and labels.
func WriteSplit(path string, ds *data.Dataset) error {
	split := struct {
		Pool     int   `json:"pool"`
		Labelled []int `json:"labelled"`
	}{Pool: ds.Train.Len(), Labelled: []int{}}
	for i, known := range ds.Mask {
		if known {
			split.Labelled = append(split.Labelled, i)
		}
	}
	raw, err := json.Marshal(split)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return data.WriteFileAtomic(path, raw)
}

// meanSD returns the mean and the sample standard deviation (n-1).
func meanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

// Markdown renders the summary table.
func (rep *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Command: `%s`  \nBackend: %s  \nData: %s\n\n", rep.Command, rep.Backend, rep.Data)
	b.WriteString("| configuration | runs | final test accuracy (mean ± sd) | per seed | s/step | min/run |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, s := range rep.Summaries {
		per := make([]string, len(s.FinalTests))
		for i, a := range s.FinalTests {
			per[i] = fmt.Sprintf("%.1f", 100*a)
		}
		fmt.Fprintf(&b, "| %s | %d | %.1f%% ± %.1f | %s | %.3f | %.1f |\n", s.Config, s.Runs, 100*s.FinalTestMean,
			100*s.FinalTestSD, strings.Join(per, ", "), s.StepSeconds, s.RunSeconds/60)
	}
	return b.String()
}

// MergeReports puts experiments run on the same data side by side (for one figure and one table): each
// configuration is renamed label + " " + name, in the order given. Their data must be the same.
func MergeReports(labels []string, reports []*Report) (*Report, error) {
	if len(labels) != len(reports) || len(reports) == 0 {
		return nil, fmt.Errorf("merge: %d labels for %d reports", len(labels), len(reports))
	}
	out := &Report{Data: reports[0].Data}
	var commands, backends []string
	for i, rep := range reports {
		if rep.Data != out.Data {
			return nil, fmt.Errorf("merge: %s ran on other data (%q, not %q)", labels[i], rep.Data, out.Data)
		}
		commands = append(commands, labels[i]+": "+rep.Command)
		backends = append(backends, labels[i]+": "+rep.Backend)
		for _, s := range rep.Summaries {
			s.Config = labels[i] + " " + s.Config
			out.Summaries = append(out.Summaries, s)
		}
		for _, r := range rep.Runs {
			r.Config = labels[i] + " " + r.Config
			out.Runs = append(out.Runs, r)
		}
	}
	out.Command, out.Backend = strings.Join(commands, "`; `"), strings.Join(backends, "; ")
	return out, nil
}

// ReadReport reads an experiment.json that Run wrote.
func ReadReport(path string) (*Report, error) {
	raw, err := data.ReadFileLimited(path, run.MaxMetricsBytes)
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &rep, nil
}

// WriteReport writes experiment.json, experiment.md and experiment.png to outDir.
func WriteReport(rep *Report, outDir string) error { return writeReport(rep, outDir) }

func writeReport(rep *Report, outDir string) error {
	raw, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	if err := data.WriteFileAtomic(filepath.Join(outDir, "experiment.json"), raw); err != nil {
		return err
	}
	if err := data.WriteFileAtomic(filepath.Join(outDir, "experiment.md"), []byte(rep.Markdown())); err != nil {
		return err
	}
	var settings []string
	var curves []report.Curve
	var group []int
	for ci, s := range rep.Summaries {
		settings = append(settings, s.Config)
		for _, r := range rep.Runs {
			if r.Config == s.Config {
				curves, group = append(curves, report.CurveOf(r.Config, r.History)), append(group, ci)
			}
		}
	}
	img, err := report.SeedCurves("Test accuracy per epoch (each line one seed)", settings, curves, group)
	if err != nil {
		return err
	}
	return data.WriteFileAtomic(filepath.Join(outDir, "experiment.png"), img)
}
