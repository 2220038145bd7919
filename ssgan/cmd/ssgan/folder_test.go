package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// wordFolder writes a folder of generated digits 1, 4 and 7 as three classes named by words: labelled
// images in train/, a test/ folder of testPer per class (none for 0: the run holds some apart), and
// unlabelled ones in unlabelled/. It returns the folder and, for each class name, an image file of that
// class from elsewhere (other generated digits).
func wordFolder(t *testing.T, labelledPer, unlabelled, testPer int) (string, map[string]string) {
	t.Helper()
	root := t.TempDir()
	names := make([]string, data.NumClasses)
	names[1], names[4], names[7] = "one", "four", "seven"
	im := data.SyntheticDigits(20*(labelledPer+testPer)+2*unlabelled, 11)
	if _, _, _, err := data.WriteFolderSplit(root, im, names, labelledPer, testPer, unlabelled); err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()
	if _, _, _, err := data.WriteFolderSplit(elsewhere, data.SyntheticDigits(60, 99), names, 1, 0, 0); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, n := range []string{"one", "four", "seven"} {
		matches, _ := filepath.Glob(filepath.Join(elsewhere, data.FolderTrain, n, "*.png"))
		if len(matches) != 1 {
			t.Fatalf("no spare image of %s", n)
		}
		files[n] = matches[0]
	}
	return root, files
}

// Your own images: three classes named by words, trained from a folder with each recipe; the accuracy on
// the test folder beats chance (1/3), eval reproduces it per class by name, and predict names classes.
func TestFolderTrainEvalPredict(t *testing.T) {
	root, files := wordFolder(t, 20, 150, 20)
	for _, recipe := range []string{ssgan.RecipeCourse, ssgan.RecipeImproved} {
		t.Run(recipe, func(t *testing.T) {
			out := t.TempDir()
			code, stdout, stderr := runCLI("train", "-data_dir", root, "-out", out, "-recipe", recipe, "-d_size", "8", "-g_size", "4",
				"-epochs", "8", "-batch", "32", "-seed", "2", "-lr", "0.002", "-drop", "0", "-input_drop", "0")
			if code != 0 {
				t.Fatalf("train: exit %d\n%s\n%s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, "3 classes (four, one, seven)") || !strings.Contains(stdout, "60 test") {
				t.Errorf("the run does not say what it trains on:\n%s", stdout)
			}
			final := regexp.MustCompile(`final test accuracy ([0-9.]+)`).FindStringSubmatch(stdout)
			if final == nil {
				t.Fatalf("no final accuracy:\n%s", stdout)
			}
			if acc, _ := strconv.ParseFloat(final[1], 64); acc <= 0.5 {
				t.Errorf("test accuracy %s on 3 classes: want well above chance (1/3)", final[1])
			}
			code, evalOut, stderr := runCLI("eval", "-ckpt", out)
			if code != 0 || !strings.Contains(evalOut, "test accuracy "+final[1]+" on 60 images") {
				t.Errorf("eval: exit %d, %q (want test accuracy %s on 60 images), %s", code, evalOut, final[1], stderr)
			}
			if !regexp.MustCompile(`per class:  four: [0-9.]+ \(20\)  one: [0-9.]+ \(20\)  seven: [0-9.]+ \(20\)`).MatchString(evalOut) {
				t.Errorf("eval lacks the per-class line by name:\n%s", evalOut)
			}
			for _, name := range []string{run.ConfusionFile, run.BestCheckpointFile, "eval_confusion.png"} {
				if _, err := os.Stat(filepath.Join(out, name)); err != nil {
					t.Errorf("missing %s", name)
				}
			}
			right := 0
			for class, file := range files {
				code, predOut, stderr := runCLI("predict", "-ckpt", out, file)
				m := regexp.MustCompile(`: (four|one|seven) \(p=[0-9.]+\), runner-up (four|one|seven) \(p=`).FindStringSubmatch(predOut)
				if code != 0 || m == nil {
					t.Fatalf("predict: exit %d, %q, %s", code, predOut, stderr)
				}
				if m[1] == class {
					right++
				}
			}
			t.Logf("%s: test accuracy %s; predict named %d of 3 spare images right", recipe, final[1], right)
		})
	}
}

// A bad folder is refused in one line and -out is left as it was: not created, or its earlier run kept.
func TestFolderRefusedLeavesOutAlone(t *testing.T) {
	root, _ := wordFolder(t, 3, 0, 0)
	if err := os.WriteFile(filepath.Join(root, data.FolderTrain, "one", "readme.txt"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "run")
	code, _, stderr := runCLI("train", "-data_dir", root, "-out", out, "-epochs", "1")
	if code != 1 || !strings.Contains(stderr, "readme.txt: not an image") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("exit %d, %q: want 1 and one line naming readme.txt", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("-out was created for a refused run (%v)", err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-data_dir", root, "-image_size", "30"}, "multiples of 4"},
		{[]string{"-data_dir", root, "-hold_out", "1"}, "hold_out 1"},
		{[]string{"-data_dir", root, "-dataset", "mnist"}, "data_dir with dataset mnist"},
		{[]string{"-data_dir", root, "-synthetic"}, "choose one source"},
		{[]string{"-data_dir", root, "-max_test", "10"}, "max_train or max_test with data_dir"},
	} {
		code, _, stderr := runCLI(append([]string{"train", "-out", out, "-epochs", "1"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q: want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
