package main

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedFilesUpToDate fails when a generated file differs from what the sources give.
func TestGeneratedFilesUpToDate(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, solutionsFile))
	if err != nil {
		t.Fatal(err)
	}
	exercises, err := parseExercises(strings.Split(string(raw), "\n"))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, name))
		if name == "exercises/pieces.go" && err == nil && len(answered(string(got), exercises)) > 0 {
			// A learner's answers: only what the lesson decides must be current.
			if err := stubsCurrent(got, want, exercises); err != nil {
				t.Error(err)
			}
			t.Logf("exercises/pieces.go holds answers to %v: checked its doc comments and signatures only", answered(string(got), exercises))
			continue
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is out of date (%v): run `go generate ./...` and commit the result", name, err)
		}
	}
}

func TestStubsNameExerciseAndFile(t *testing.T) {
	root, _ := repoRoot()
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	stubs := string(files["exercises/pieces.go"])
	for _, want := range []string{
		`panic(ssgan.NotImplemented(1, "GlobalAveragePool", "exercises/pieces.go"))`,
		`panic(ssgan.NotImplemented(6, "SplitVariables", "exercises/pieces.go"))`,
	} {
		if !strings.Contains(stubs, want) {
			t.Errorf("stubs lack %s", want)
		}
	}
	if strings.Contains(stubs, "BEGIN SOLUTION") || strings.Contains(stubs, "ReduceMean(x, 1, 2)") {
		t.Error("stubs leak a solution")
	}
	nb := string(files["notebooks/exercises.ipynb"])
	if strings.Contains(nb, "ReduceMean(x, 1, 2)") || !strings.Contains(nb, "the GlobalAveragePool cell above") {
		t.Error("the exercise notebook leaks a solution or lacks a stub")
	}
}

// The notebook's copies of package code qualify what the package exports and nothing else.
func TestSourceCellQualifiesPackageNames(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	lines, err := sourceCell(root, "ssgan/recipe_course.go", "StepLosses")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Join(lines, "\n")
	for _, want := range []string{
		"func StepLosses(scope *model.Scope, cfg ssgan.TrainConfig, p ssgan.Pieces,", // Types qualified, own name not.
		"ssgan.BNMode{Dropout: train.Dropout, BatchStats: true}",                     // Keys and fields left alone.
		"ssgan.MaskedMean(ssgan.SoftmaxCrossEntropy(realLogits, labels), mask)",
		"p.Discriminator(scope, cfg.Model, p, x, train)", // Locals and methods left alone.
		"// StepLosses wires", // The doc comment comes along.
	} {
		if !strings.Contains(src, want) {
			t.Errorf("StepLosses cell lacks %q:\n%s", want, src)
		}
	}
	if _, err := sourceCell(root, "ssgan/recipe_course.go", "NoSuchFunction"); err == nil {
		t.Error("an unknown function gave no error")
	}
}

// A forgotten markdown marker puts a heading into a code cell, which GoNB cannot compile: refused.
func TestNotebookRefusesHeadingInCodeCell(t *testing.T) {
	_, err := notebook(".", "<!-- code -->\nvar x = 1\n\n### Exercise 7\n", nil)
	if err == nil || !strings.Contains(err.Error(), "marker is missing") {
		t.Errorf("got %v, want an error naming the missing marker", err)
	}
}

// The stubs import everything the solutions import, so a solution's body pasted into a stub compiles.
func TestStubsKeepTheSolutionsImports(t *testing.T) {
	imports := func(path string) map[string]bool {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		set := map[string]bool{}
		for _, im := range f.Imports {
			set[im.Path.Value] = true
		}
		return set
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	stubs := imports(filepath.Join(root, "exercises", "pieces.go"))
	for path := range imports(filepath.Join(root, solutionsFile)) {
		if !stubs[path] {
			t.Errorf("exercises/pieces.go does not import %s, which the solutions use", path)
		}
	}
}

// scratchRepo copies the tracked (and new, not ignored) files of the repository into a new git repository with one commit, so
// a test can play a learner's session and a lesson update without touching the real tree.
func scratchRepo(t *testing.T) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	dir := t.TempDir()
	for _, name := range strings.Fields(string(out)) {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			continue // Deleted in the work tree.
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		info, _ := os.Stat(filepath.Join(root, name))
		if err := os.WriteFile(filepath.Join(dir, name), data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	// The stubs as generated, not the learner's answers in this work tree (exercises/pieces.go is theirs
	// to fill in; the scenarios below start from a fresh clone).
	files, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "exercises", "pieces.go"), files["exercises/pieces.go"], 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "init", "-q")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "lesson")
	return dir
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// answerCell puts a learner's line into the first exercise cell of a notebook file.
func answerCell(t *testing.T, path, line string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	marker := `panic(ssgan.NotImplemented(1,`
	i := bytes.Index(raw, []byte(marker))
	if i < 0 {
		t.Fatalf("%s has no stub of exercise 1", path)
	}
	edited := append(append(append([]byte{}, raw[:i]...), []byte(line+`\n",\n    "\t`)...), raw[i:]...)
	if err := os.WriteFile(path, edited, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLearnerWorkSurvives plays "make lab → fill an exercise cell → save → make test → go generate ./... →
// git pull of a newer lesson", once on the learner's copy (make lab's way) and once on the tracked
// notebook itself, and the same with an answer written into exercises/pieces.go: nothing typed is lost.
func TestLearnerWorkSurvives(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := scratchRepo(t)
	const answer = "// my answer, typed in JupyterLab"

	// make lab's copies: made once, never overwritten.
	lab := func() string {
		out, err := exec.Command("bash", filepath.Join(dir, "notebooks", "learner_copies.sh")).CombinedOutput()
		if err != nil {
			t.Fatalf("learner_copies.sh: %v\n%s", err, out)
		}
		return string(out)
	}
	lab()
	mine := filepath.Join(dir, "notebooks", "my-exercises.ipynb")
	answerCell(t, mine, answer)
	lab()
	if raw, _ := os.ReadFile(mine); !bytes.Contains(raw, []byte(answer)) {
		t.Fatal("make lab's second run replaced the learner's copy")
	}
	// go generate leaves the copy alone, and the tracked notebooks are still current.
	if err := run(dir, false); err != nil {
		t.Fatalf("go generate with a learner's copy beside the notebooks: %v", err)
	}
	// A newer lesson arrives (a pull): the copy stays, the new version appears beside it.
	lesson := filepath.Join(dir, lessonFile)
	raw, _ := os.ReadFile(lesson)
	if err := os.WriteFile(lesson, bytes.Replace(raw, []byte("Labels are expensive"), []byte("Labels cost money"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(dir, false); err != nil {
		t.Fatalf("regenerating after a lesson change: %v", err)
	}
	if out := lab(); !strings.Contains(out, "the new version is beside it: notebooks/my-exercises.lesson-") {
		t.Errorf("make lab after a lesson change said %q; want it to name the new version beside the copy", out)
	}
	if raw, _ := os.ReadFile(mine); !bytes.Contains(raw, []byte(answer)) {
		t.Fatal("a lesson update replaced the learner's copy")
	}
	git(t, dir, "commit", "-qam", "newer lesson")

	// An answer saved into the tracked notebook itself: go generate refuses, naming it, and keeps it.
	tracked := filepath.Join(dir, "notebooks", "exercises.ipynb")
	answerCell(t, tracked, answer)
	err := run(dir, false)
	if err == nil || !strings.Contains(err.Error(), "notebooks/exercises.ipynb changed since it was generated") {
		t.Errorf("go generate over an edited notebook: error %v, want a refusal naming it", err)
	}
	if raw, _ := os.ReadFile(tracked); !bytes.Contains(raw, []byte(answer)) {
		t.Fatal("go generate erased an answer saved into notebooks/exercises.ipynb")
	}
	git(t, dir, "checkout", "-q", "--", "notebooks/exercises.ipynb")

	// An answer in exercises/pieces.go: the drift check accepts it, go generate refuses and keeps it.
	pieces := filepath.Join(dir, "exercises", "pieces.go")
	raw, _ = os.ReadFile(pieces)
	solved := bytes.Replace(raw, []byte(`panic(ssgan.NotImplemented(1, "GlobalAveragePool", "exercises/pieces.go"))`), []byte("return ReduceMean(x, 1, 2)"), 1)
	if bytes.Equal(raw, solved) {
		t.Fatal("no stub of exercise 1 in exercises/pieces.go")
	}
	if err := os.WriteFile(pieces, solved, 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(filepath.Join(dir, solutionsFile))
	exercises, _ := parseExercises(strings.Split(string(src), "\n"))
	if got := answered(string(solved), exercises); len(got) != 1 || got[0] != "GlobalAveragePool" {
		t.Errorf("answered exercises %v, want [GlobalAveragePool]", got)
	}
	if err := stubsCurrent(solved, files["exercises/pieces.go"], exercises); err != nil {
		t.Errorf("the drift check fails on a learner's answer: %v", err)
	}
	if err := stubsCurrent(bytes.Replace(solved, []byte("// GlobalAveragePool is exercise 1."), []byte("// An old doc."), 1),
		files["exercises/pieces.go"], exercises); err == nil {
		t.Error("the drift check accepted exercises/pieces.go with a stale doc comment")
	}
	if err := run(dir, false); err == nil || !strings.Contains(err.Error(), "holds answers") {
		t.Errorf("go generate over exercises/pieces.go with an answer: error %v, want a refusal", err)
	}
	if raw, _ := os.ReadFile(pieces); !bytes.Equal(raw, solved) {
		t.Fatal("go generate erased an answer in exercises/pieces.go")
	}
}
