package main

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
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
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, name))
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
