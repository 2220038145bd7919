package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute"
	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

func init() {
	if os.Getenv(engine.BackendEnv) == "" {
		os.Setenv(engine.BackendEnv, "go") // Tests never try to download XLA.
	}
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = runCommand(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBadInputIsOneLine(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"train", "-epochs", "zero", "-out", "x"}, 2, "-epochs"},
		{[]string{"train", "-epochs", "-1", "-out", "x"}, 2, "-epochs -1"},
		{[]string{"train", "-d_size", "0", "-out", "x"}, 2, "d_size 0"},
		{[]string{"train", "-lr", "NaN", "-out", "x"}, 2, "lr NaN"},
		{[]string{"train", "-drop", "1", "-out", "x"}, 2, "drop 1"},
		{[]string{"train", "-labels", "-5", "-out", "x"}, 2, "labels -5: must be >= 0"},
		{[]string{"train", "-max_train", "-1", "-out", "x"}, 2, "max_train -1"},
		{[]string{"train", "-max_test", "-2", "-out", "x"}, 2, "max_test -2"},
		{[]string{"train", "-dataset", "cifar", "-out", "x"}, 2, "dataset \"cifar\""},
		{[]string{"train"}, 2, "-out is required"},
		{[]string{"train", "-out", t.TempDir(), "-data", empty, "-no_download"}, 1, filepath.Join(empty, data.TrainFile)},
		{[]string{"eval"}, 2, "-ckpt is required"},
		{[]string{"eval", "-ckpt", empty}, 1, "no checkpoint"},
		{[]string{"bench", "-steps", "0"}, 2, "-steps 0"},
		{[]string{"bench", "-upsample", "bicubic"}, 2, "upsample \"bicubic\""},
		{[]string{"train", "-recipe", "fancy", "-out", "x"}, 2, "recipe \"fancy\""},
		{[]string{"train", "-dataset", "mnist", "-recipe", "course", "-model", "mlp", "-out", "x"}, 2, "model mlp with recipe \"course\""},
		{[]string{"train", "-model", "mlp", "-drop", "0.5", "-out", "x"}, 2, "Gaussian noise, not dropout"},
		{[]string{"train", "-dataset", "mnist", "-synthetic", "-out", "x"}, 2, "synthetic digits are SVHN-sized"},
		{[]string{"train", "-dataset", "mnist", "-out", t.TempDir(), "-data", empty, "-no_download"}, 1, filepath.Join(empty, data.MNISTFiles[0].Name)},
		{[]string{"experiment", "-dataset", "mnist", "-out", "x"}, 2, "needs -data DIR"},
		{[]string{"experiment", "-data_file", "x.mat", "-max_test", "-1", "-out", "x"}, 2, "-max_test -1"},
		{[]string{"experiment", "-dataset", "mnist", "-data", "d", "-max_test", "10", "-out", "x"}, 2, "-max_test works with -data_file only"},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("ssgan %v: exit %d, stderr %q; want exit %d and one line containing %q",
				tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// TestTrainThenEval runs the CLI contract on .mat files in SVHN's layout: train writes its outputs, and
// eval reloads the checkpoint and prints the same test accuracy.
func TestTrainThenEval(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	if err := data.SaveSVHN(filepath.Join(dir, data.TrainFile), data.SyntheticDigits(300, 1), true); err != nil {
		t.Fatal(err)
	}
	if err := data.SaveSVHN(filepath.Join(dir, data.TestFile), data.SyntheticDigits(200, 2), false); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI("train", "-data", dir, "-out", out, "-d_size", "4", "-g_size", "2",
		"-epochs", "2", "-batch", "32", "-labels", "100", "-seed", "3", "-max_test", "60", "-extra_class")
	if code != 0 {
		t.Fatalf("train: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, name := range []string{run.MetricsFile, run.CurvesFile, run.CheckpointFile, "samples_001.png", "samples_002.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing output %s", name)
		}
	}
	final := regexp.MustCompile(`final test accuracy ([0-9.]+)`).FindStringSubmatch(stdout)
	if final == nil || !strings.Contains(stdout, "Epoch 2/2") {
		t.Fatalf("train output lacks per-epoch lines or the final accuracy:\n%s", stdout)
	}
	// eval scores the test set only: it must not need the training file.
	if err := os.Remove(filepath.Join(dir, data.TrainFile)); err != nil {
		t.Fatal(err)
	}
	code, evalOut, stderr := runCLI("eval", "-ckpt", out, "-data", dir)
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	if !strings.Contains(evalOut, "test accuracy "+final[1]+" on 60 images") {
		t.Errorf("eval printed %q, want test accuracy %s on 60 images", evalOut, final[1])
	}
	// Per-digit results and the confusion matrix; model selection on the validation split.
	if !regexp.MustCompile(`per class:(  \d: [0-9.]+ \(\d+\)){10}`).MatchString(evalOut) {
		t.Errorf("eval lacks the per-digit line:\n%s", evalOut)
	}
	for _, name := range []string{"eval_confusion.png", run.ConfusionFile, run.BestCheckpointFile} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Errorf("missing %s (%v)", name, err)
		}
	}
	metrics, err := run.ReadMetrics(filepath.Join(out, run.MetricsFile))
	if err != nil || len(metrics) != 2 || metrics[0].ValidAcc <= 0 {
		t.Fatalf("metrics without valid_acc: %+v %v", metrics, err)
	}
	best, _ := run.BestEpoch(metrics)
	if !strings.Contains(stdout, fmt.Sprintf("at epoch %d: %s", best, run.BestCheckpointFile)) {
		t.Errorf("the final report does not name the best epoch %d:\n%s", best, stdout)
	}
	code, evalOut, stderr = runCLI("eval", "-ckpt", filepath.Join(out, run.BestCheckpointFile), "-data", dir, "-confusion", "-")
	if code != 0 || !strings.Contains(evalOut, fmt.Sprintf("(epoch %d)", best)) {
		t.Errorf("eval of best.ssgan: exit %d, %q, %s", code, evalOut, stderr)
	}
}

// A second run into the same -out is refused, unless -force, which replaces the first run's outputs (and
// the temporary files a crash left) so that two runs never mix.
func TestTrainRefusesToMixRuns(t *testing.T) {
	out := t.TempDir()
	args := []string{"train", "-synthetic", "-max_train", "64", "-max_test", "32", "-out", out, "-d_size", "4",
		"-g_size", "2", "-epochs", "2", "-batch", "32", "-labels", "20"}
	if code, _, stderr := runCLI(args...); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCLI(args...)
	if code != 1 || !strings.Contains(stderr, "already holds a run") || strings.Contains(stdout, "Epoch") {
		t.Fatalf("second run without -force: exit %d, stderr %q, stdout %q", code, stderr, stdout)
	}
	stale := filepath.Join(out, ".checkpoint.ssgan.tmp-42")
	os.WriteFile(stale, []byte("half a checkpoint"), 0o644)
	args[len(args)-5] = "1" // -epochs 1
	if code, _, stderr := runCLI(append(args, "-force")...); code != 0 {
		t.Fatalf("-force: exit %d: %s", code, stderr)
	}
	metrics, err := run.ReadMetrics(filepath.Join(out, run.MetricsFile))
	if err != nil || len(metrics) != 1 {
		t.Errorf("after -force, metrics.jsonl holds %d epochs (%v), want the new run's 1", len(metrics), err)
	}
	if _, err := os.Stat(filepath.Join(out, "samples_002.png")); err == nil {
		t.Error("the first run's samples_002.png survived -force")
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a crash's temporary checkpoint survived")
	}
}

// Ctrl-C: train, eval and bench stop with a non-zero exit and say what was kept.
func TestInterrupts(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	dir := t.TempDir()
	err := train(ctx, []string{"-synthetic", "-max_train", "64", "-max_test", "32", "-out", dir, "-d_size", "4",
		"-g_size", "2", "-epochs", "1", "-batch", "32", "-labels", "20"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "no epoch finished") {
		t.Errorf("train interrupted in epoch 1: %v", err)
	}
	if err := bench(ctx, []string{"-d_size", "4", "-g_size", "2", "-batch", "8"}, &out, &errOut); err == nil ||
		!strings.Contains(err.Error(), "interrupted") {
		t.Errorf("bench interrupted: %v", err)
	}
	ckDir := t.TempDir()
	if code, _, stderr := runCLI("train", "-synthetic", "-max_train", "64", "-max_test", "32", "-out", ckDir,
		"-d_size", "4", "-g_size", "2", "-epochs", "1", "-batch", "32", "-labels", "20"); code != 0 {
		t.Fatal(stderr)
	}
	if err := eval(ctx, []string{"-ckpt", ckDir}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("eval interrupted: %v", err)
	}
}

// smallMNIST writes a tiny data set in MNIST's four-file layout: 200 training and 50 test images.
func smallMNIST(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, set := range []struct {
		images, labels string
		n              int
	}{{data.MNISTFiles[0].Name, data.MNISTFiles[1].Name, 200}, {data.MNISTFiles[2].Name, data.MNISTFiles[3].Name, 50}} {
		im := data.SyntheticDigits(set.n, uint64(set.n))
		px := make([]uint8, set.n*data.MNISTValues)
		labels := make([]uint8, set.n)
		for i := 0; i < set.n; i++ {
			for y := 0; y < data.MNISTSize; y++ {
				for x := 0; x < data.MNISTSize; x++ {
					px[i*data.MNISTValues+y*data.MNISTSize+x] = im.Pixels[i*data.ImageValues+((y+2)*data.ImageSize+x+2)*data.ImageChannels]
				}
			}
			labels[i] = uint8(im.Labels[i])
		}
		if err := data.WriteIDX(filepath.Join(dir, set.images), []int{set.n, data.MNISTSize, data.MNISTSize}, px, true); err != nil {
			t.Fatal(err)
		}
		if err := data.WriteIDX(filepath.Join(dir, set.labels), []int{set.n}, labels, true); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The improved recipe end to end through the CLI: train writes its outputs; experiment reports both
// configurations.
func TestMNISTTrainAndExperiment(t *testing.T) {
	dir, out := smallMNIST(t), t.TempDir()
	code, stdout, stderr := runCLI("train", "-dataset", "mnist", "-data", dir, "-no_download", "-out", out,
		"-labels", "20", "-epochs", "2", "-seed", "2")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "improved recipe") || !strings.Contains(stdout, "final test accuracy") {
		t.Errorf("train output: %s", stdout)
	}
	for _, name := range []string{run.MetricsFile, run.CurvesFile, run.CheckpointFile, "samples_002.png"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Errorf("output %s missing or empty (%v)", name, err)
		}
	}
	// eval of the MLP checkpoint scores the test set with the same averaged weights: the same accuracy.
	final := regexp.MustCompile(`final test accuracy ([0-9.]+)`).FindStringSubmatch(stdout)
	_, evalOut, stderr := runCLI("eval", "-ckpt", out, "-data", dir, "-confusion", "-")
	if final == nil || !strings.Contains(evalOut, "test accuracy "+final[1]) {
		t.Errorf("eval of the MNIST checkpoint: %q (%s); train said %v", evalOut, stderr, final)
	}
	exp := t.TempDir()
	code, stdout, stderr = runCLI("experiment", "-dataset", "mnist", "-data", dir, "-out", exp, "-labels", "20",
		"-epochs", "1", "-seeds", "1")
	if code != 0 {
		t.Fatalf("experiment: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "| ssgan | 1 |") || !strings.Contains(stdout, "| supervised_only | 1 |") {
		t.Errorf("experiment table: %s", stdout)
	}
}

// eval of an experiment's checkpoint scores the images the experiment held apart, and so reproduces the
// accuracy the experiment reported for that run.
func TestEvalReproducesExperimentRun(t *testing.T) {
	file := filepath.Join(t.TempDir(), "digits.mat")
	if err := data.SaveSVHN(file, data.SyntheticDigits(300, 4), true); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	code, _, stderr := runCLI("experiment", "-data_file", file, "-out", out, "-pool", "200", "-labels", "50",
		"-seeds", "1", "-configs", "supervised_only", "-epochs", "2", "-d_size", "4", "-g_size", "2", "-batch", "32", "-max_test", "60")
	if code != 0 {
		t.Fatalf("experiment: exit %d: %s", code, stderr)
	}
	runDir := filepath.Join(out, "supervised_only_seed1")
	metrics, err := run.ReadMetrics(filepath.Join(runDir, run.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	code, evalOut, stderr := runCLI("eval", "-ckpt", runDir)
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	want := fmt.Sprintf("test accuracy %.4f on 60 images", metrics[len(metrics)-1].TestAcc) // -max_test 60 of the 100 held apart.
	if !strings.Contains(evalOut, want) {
		t.Errorf("eval printed %q, want %q", evalOut, want)
	}
}

// writePNG writes image i of im as a PNG scaled by an integer factor (grey if asked).
func writePNG(t *testing.T, path string, im *data.Images, i, scale int, grey bool) {
	t.Helper()
	side := data.ImageSize * scale
	var img draw.Image = image.NewRGBA(image.Rect(0, 0, side, side))
	if grey {
		img = image.NewGray(image.Rect(0, 0, side, side))
	}
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			o := i*data.ImageValues + ((y/scale)*data.ImageSize+x/scale)*data.ImageChannels
			img.Set(x, y, color.RGBA{im.Pixels[o], im.Pixels[o+1], im.Pixels[o+2], 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// predict reads PNGs of any size, colour or grey, from a course checkpoint and from an MLP checkpoint;
// a file that is not an image gets its own line and a non-zero exit, the others are still predicted.
func TestPredict(t *testing.T) {
	ck := t.TempDir()
	if code, _, stderr := runCLI("train", "-synthetic", "-max_train", "256", "-max_test", "64", "-out", ck,
		"-d_size", "8", "-g_size", "2", "-epochs", "2", "-batch", "32", "-labels", "100"); code != 0 {
		t.Fatal(stderr)
	}
	dir := t.TempDir()
	im := data.SyntheticDigits(3, 77)
	exact, big, grey, junk := filepath.Join(dir, "exact.png"), filepath.Join(dir, "big.png"), filepath.Join(dir, "grey.png"), filepath.Join(dir, "notes.png")
	writePNG(t, exact, im, 0, 1, false)
	writePNG(t, big, im, 0, 3, false)
	writePNG(t, grey, im, 1, 2, true)
	os.WriteFile(junk, []byte("not an image"), 0o644)
	code, stdout, stderr := runCLI("predict", "-ckpt", ck, exact, big, junk, grey)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 1 || len(lines) != 4 || !strings.Contains(stderr, "1 of 4 files") {
		t.Fatalf("predict: exit %d, %d lines\n%s\n%s", code, len(lines), stdout, stderr)
	}
	line := regexp.MustCompile(`^(.*): (\d) \(p=([0-9.]+)\), runner-up (\d) \(p=([0-9.]+)\)$`)
	for _, i := range []int{0, 1, 3} {
		if !line.MatchString(lines[i]) {
			t.Errorf("line %d: %q", i, lines[i])
		}
	}
	if !strings.HasPrefix(lines[2], junk+": error: not an image (PNG, JPEG") {
		t.Errorf("non-image line: %q", lines[2])
	}
	// The exact-size PNG holds the same pixels the model was given in training form: same answer as
	// the model's own prediction.
	m, _, err := ssgan.LoadCheckpoint(mustBackend(t), ck)
	if err != nil {
		t.Fatal(err)
	}
	var b data.Batch
	for bt := range data.Batches(im.Head(1), 1, nil, nil) {
		b = bt
	}
	want, err := m.Predict(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := line.FindStringSubmatch(lines[0])[2]; got != fmt.Sprint(want[0]) {
		t.Errorf("predict on the exact PNG says %s, the model %d", got, want[0])
	}
	// An MLP checkpoint reads the images as 28x28 grey; -json (after the files) gives one object per file.
	mlp := t.TempDir()
	if code, _, stderr := runCLI("train", "-dataset", "mnist", "-data", smallMNIST(t), "-no_download", "-out", mlp,
		"-labels", "20", "-epochs", "1"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr = runCLI("predict", "-ckpt", mlp, grey, big, "-json") // flags may follow the files
	if code != 0 {
		t.Fatalf("predict with an MLP checkpoint: exit %d: %s", code, stderr)
	}
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var p prediction
		if err := json.Unmarshal([]byte(l), &p); err != nil || p.Label < 0 || p.Label > 9 || p.Class != fmt.Sprint(p.Label) || p.Probability < p.RunnerUpP {
			t.Errorf("json line %q: %+v %v", l, p, err)
		}
	}
}

func mustBackend(t *testing.T) compute.Backend {
	t.Helper()
	b, err := engine.NewBackend(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The improved recipe on the conv networks: train, then eval of its checkpoint gives the reported accuracy.
func TestConvImprovedTrainThenEval(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCLI("train", "-synthetic", "-recipe", "improved", "-max_train", "128", "-max_test", "64",
		"-out", out, "-d_size", "4", "-g_size", "2", "-epochs", "2", "-batch", "32", "-labels", "50", "-ema_decay", "0.9")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	final := regexp.MustCompile(`final test accuracy ([0-9.]+)`).FindStringSubmatch(stdout)
	_, evalOut, stderr := runCLI("eval", "-ckpt", out, "-confusion", "-")
	if final == nil || !strings.Contains(evalOut, "test accuracy "+final[1]) {
		t.Errorf("eval: %q (%s); train said %q", evalOut, stderr, stdout)
	}
}

// TestMain lets a test run this test binary as the ssgan command itself (SSGAN_TEST_AS_CLI=1), to start
// real, separate processes.
func TestMain(m *testing.M) {
	if os.Getenv("SSGAN_TEST_AS_CLI") == "1" {
		os.Exit(runCommand(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// Two train processes started at once into one -out: one trains, the other is refused in one line that
// names the directory, and metrics.jsonl holds one run's epochs, once each.
func TestConcurrentTrainsIntoOneOut(t *testing.T) {
	out := t.TempDir()
	var cmds [2]*exec.Cmd
	var outputs [2]bytes.Buffer
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "train", "-synthetic", "-max_train", "64", "-max_test", "32", "-out", out,
			"-d_size", "4", "-g_size", "2", "-epochs", "3", "-batch", "16", "-labels", "20", "-seed", fmt.Sprint(i+1))
		cmds[i].Env = append(os.Environ(), "SSGAN_TEST_AS_CLI=1", "GOMLX_BACKEND=go")
		cmds[i].Stdout, cmds[i].Stderr = &outputs[i], &outputs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	refused := 0
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			refused++
			msg := strings.TrimSpace(outputs[i].String())
			last := msg[strings.LastIndex(msg, "\n")+1:]
			if !strings.Contains(last, "in use by another run") || !strings.Contains(last, out) {
				t.Errorf("the refused run said: %s", msg)
			}
		}
	}
	if refused != 1 {
		t.Fatalf("%d runs refused, want 1:\n%s\n---\n%s", refused, outputs[0].String(), outputs[1].String())
	}
	history, err := run.ReadMetrics(filepath.Join(out, run.MetricsFile))
	if err != nil || len(history) != 3 {
		t.Fatalf("metrics: %v, %d epochs; want 3", err, len(history))
	}
	for i, h := range history {
		if h.Epoch != i+1 {
			t.Errorf("metrics line %d is epoch %d", i+1, h.Epoch)
		}
	}
	// The lock went with the process: a third run into the same -out may start (and is refused only
	// because the directory holds a finished run).
	if code, _, stderr := runCLI("train", "-synthetic", "-max_train", "64", "-out", out, "-epochs", "1"); code != 1 || !strings.Contains(stderr, "already holds a run") {
		t.Errorf("after both runs: exit %d: %s", code, stderr)
	}
}

// train -resume continues a run to the end and then extends it with -epochs; a bad resume is refused in
// one line: no checkpoint, flags that would change the run, a finished run, a checkpoint of an older format.
func TestResume(t *testing.T) {
	out := t.TempDir()
	base := []string{"-synthetic", "-max_train", "64", "-max_test", "32", "-d_size", "4", "-g_size", "2", "-batch", "16", "-labels", "20"}
	if code, _, stderr := runCLI(append([]string{"train", "-out", out, "-epochs", "1"}, base...)...); code != 0 {
		t.Fatal(stderr)
	}
	empty := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-out", empty}, 1, "nothing to resume in " + empty},
		{[]string{"-out", out, "-lr", "0.1", "-seed", "3"}, 2, "-lr, -seed would change it"},
		{[]string{"-out", out, "-recipe", "improved"}, 2, "-recipe would change it"},
		{[]string{"-out", out}, 2, "finished all its 1 epochs"},
		{[]string{"-out", out, "-epochs", "1"}, 2, "already trained 1 epochs"},
	} {
		code, _, stderr := runCLI(append([]string{"train", "-resume"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("train -resume %v: exit %d, %q; want exit %d and %q in one line", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	code, stdout, stderr := runCLI("train", "-resume", "-out", out, "-epochs", "3")
	if code != 0 || !strings.Contains(stdout, "resuming "+out+" after epoch 1 of 3") {
		t.Fatalf("resume: exit %d: %s %s", code, stdout, stderr)
	}
	history, err := run.ReadMetrics(filepath.Join(out, run.MetricsFile))
	if err != nil || len(history) != 3 || history[2].Epoch != 3 {
		t.Errorf("metrics after the resume: %v, %+v", err, history)
	}
	// A checkpoint in the earlier format evaluates but does not resume.
	ck := filepath.Join(out, run.CheckpointFile)
	raw, err := os.ReadFile(ck)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(ck, bytes.Replace(raw, []byte("checkpoint v2"), []byte("checkpoint v1"), 1), 0o644)
	if code, _, stderr := runCLI("train", "-resume", "-out", out, "-epochs", "4"); code != 1 || !strings.Contains(stderr, "earlier version") {
		t.Errorf("resume from a v1 checkpoint: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI("eval", "-ckpt", out, "-confusion", "-"); code != 0 {
		t.Errorf("eval of a v1 checkpoint: exit %d: %s", code, stderr)
	}
}

// predict refuses a PNG whose header declares 20,000 x 20,000 pixels, in well under a second, naming it,
// and still predicts the other files; it exits 1.
func TestPredictRefusesDecompressionBombs(t *testing.T) {
	ck := t.TempDir()
	if code, _, stderr := runCLI("train", "-synthetic", "-max_train", "64", "-max_test", "32", "-out", ck,
		"-d_size", "4", "-g_size", "2", "-epochs", "1", "-batch", "16", "-labels", "20"); code != 0 {
		t.Fatal(stderr)
	}
	dir := t.TempDir()
	good, bomb := filepath.Join(dir, "good.png"), filepath.Join(dir, "bomb.png")
	writePNG(t, good, data.SyntheticDigits(1, 5), 0, 1, false)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], 20000) // IHDR width and height, then its CRC.
	binary.BigEndian.PutUint32(b[20:], 20000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	os.WriteFile(bomb, b, 0o644)
	start := time.Now()
	code, stdout, stderr := runCLI("predict", "-ckpt", ck, bomb, good)
	took := time.Since(start)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 1 || len(lines) != 2 || !strings.Contains(stderr, "1 of 2 files") {
		t.Fatalf("exit %d:\n%s\n%s", code, stdout, stderr)
	}
	if !strings.HasPrefix(lines[0], bomb+": error: declares 20000 x 20000 pixels") || !strings.Contains(lines[0], "-max_pixels") {
		t.Errorf("bomb line: %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], good+": ") || strings.Contains(lines[1], "error") {
		t.Errorf("the good file was not predicted: %q", lines[1])
	}
	if took > 5*time.Second { // Loading the checkpoint included; decoding 400 million pixels would take far longer.
		t.Errorf("predict took %v", took)
	}
}

// Each command's -h prints its flags under the headings of their purpose, every flag once, none of them
// in "other" (a new flag must be given a group).
func TestHelpGroupsEveryFlag(t *testing.T) {
	for _, cmd := range []string{"train", "eval", "bench", "experiment", "predict"} {
		code, _, stderr := runCLI(cmd, "-h")
		if code != 0 {
			t.Errorf("%s -h: exit %d", cmd, code)
		}
		if strings.Contains(stderr, "\nother:\n") {
			t.Errorf("%s -h lists flags under \"other\":\n%s", cmd, stderr)
		}
		flags := regexp.MustCompile(`(?m)^  -([a-z_]+)`).FindAllStringSubmatch(stderr, -1)
		seen := map[string]bool{}
		for _, f := range flags {
			if seen[f[1]] {
				t.Errorf("%s -h lists -%s twice", cmd, f[1])
			}
			seen[f[1]] = true
		}
		if len(seen) < 3 || !strings.Contains(stderr, "\ndata:\n") && !strings.Contains(stderr, "\nmodel:\n") {
			t.Errorf("%s -h: %d flags, no group headings:\n%s", cmd, len(seen), stderr)
		}
	}
	_, _, stderr := runCLI("train", "-h")
	for _, group := range []string{"data:", "model:", "training:", "output and runs:"} {
		if !strings.Contains(stderr, "\n"+group+"\n") {
			t.Errorf("train -h lacks the %q group:\n%s", group, stderr)
		}
	}
}

// The README's synopsis of the command (the first block of its "The `ssgan` command") is the usage text's examples, line for line (with "go run
// ./ssgan/cmd/ssgan" for "ssgan"), so the two cannot drift apart.
func TestReadmeSynopsisIsUsage(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := strings.SplitN(usage, "\nexamples", 2)
	if len(examples) != 2 {
		t.Fatal("the usage text has no examples")
	}
	var want []string
	for _, line := range strings.Split(examples[1], "\n")[1:] {
		if cmd, ok := strings.CutPrefix(line, "  ssgan "); ok {
			want = append(want, "go run ./ssgan/cmd/ssgan "+cmd)
		}
	}
	_, section, _ := strings.Cut(string(readme), "\n## The `ssgan` command\n")
	_, block, _ := strings.Cut(section, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	var got []string
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, "go run ./ssgan/cmd/ssgan ") {
			got = append(got, line)
		}
	}
	if len(want) < 5 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("README's synopsis differs from the usage text's examples:\nREADME:\n%s\nusage:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
