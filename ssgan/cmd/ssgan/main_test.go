package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

func init() {
	if os.Getenv(ssgan.BackendEnv) == "" {
		os.Setenv(ssgan.BackendEnv, "go") // Tests never try to download XLA.
	}
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
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
		{[]string{"train", "-lr", "NaN", "-out", "x"}, 2, "learning rate"},
		{[]string{"train", "-drop", "1", "-out", "x"}, 2, "drop 1"},
		{[]string{"train"}, 2, "-out is required"},
		{[]string{"train", "-out", t.TempDir(), "-data", empty, "-no_download"}, 1, filepath.Join(empty, data.TrainFile)},
		{[]string{"eval"}, 2, "-ckpt is required"},
		{[]string{"eval", "-ckpt", empty}, 1, "no checkpoint"},
		{[]string{"bench", "-steps", "0"}, 2, "-steps 0"},
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
	for _, name := range []string{ssgan.MetricsFile, ssgan.CurvesFile, ssgan.CheckpointFile, "samples_001.png", "samples_002.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing output %s", name)
		}
	}
	final := regexp.MustCompile(`final test accuracy ([0-9.]+)`).FindStringSubmatch(stdout)
	if final == nil || !strings.Contains(stdout, "Epoch 2/2") {
		t.Fatalf("train output lacks per-epoch lines or the final accuracy:\n%s", stdout)
	}
	code, evalOut, stderr := runCLI("eval", "-ckpt", out, "-data", dir)
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	if !strings.Contains(evalOut, "test accuracy "+final[1]+" on 60 images") {
		t.Errorf("eval printed %q, want test accuracy %s on 60 images", evalOut, final[1])
	}
}
