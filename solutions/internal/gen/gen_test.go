package main

import (
	"bytes"
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
