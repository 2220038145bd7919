package run

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Starting a run in a directory clears the earlier run's outputs and the temporary files a crash left.
func TestPrepareOutDir(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{MetricsFile, CheckpointFile, "samples_001.png", ".checkpoint.ssgan.tmp-123", "notes.txt"} {
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644)
	}
	if err := PrepareOutDir(dir, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".checkpoint.ssgan.tmp-123")); err == nil {
		t.Error("a stale temporary file survived")
	}
	if len(Outputs(dir)) != 3 {
		t.Errorf("without fresh, the earlier outputs must stay: %v", Outputs(dir))
	}
	if err := PrepareOutDir(dir, true); err != nil {
		t.Fatal(err)
	}
	if left := Outputs(dir); len(left) != 0 {
		t.Errorf("fresh left %v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Error("a file that is not ours was removed")
	}
	file := filepath.Join(dir, "notes.txt")
	if err := PrepareOutDir(filepath.Join(file, "sub"), true); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("an output directory under a file: %v", err)
	}
}

// A second run in the same folder is refused, in this process as in another, until the first releases it.
func TestLockOutDirRefusesASecondRun(t *testing.T) {
	dir := t.TempDir()
	release, err := LockOutDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockOutDir(dir); err == nil || !strings.Contains(err.Error(), "in use by another run") {
		t.Fatalf("second lock: %v; want a refusal", err)
	}
	if err := CheckOutDirFree(dir); err == nil {
		t.Fatal("CheckOutDirFree accepted a folder a run holds")
	}
	release()
	again, err := LockOutDir(dir)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again()
}

// Resuming keeps exactly the checkpoint's epochs: a line written after the last checkpoint goes, and a
// file with fewer epochs than the checkpoint is refused by name.
func TestResumeMetricsKeepsTheCheckpointsEpochs(t *testing.T) {
	dir := t.TempDir()
	for e := 1; e <= 3; e++ {
		if err := AppendMetrics(dir, EpochMetrics{Epoch: e, TestAcc: float64(e) / 10}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := ResumeMetrics(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadMetrics(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || len(back) != 2 || back[1].TestAcc != 0.2 {
		t.Fatalf("kept %v, file holds %v; want epochs 1 and 2", h, back)
	}
	if _, err := ResumeMetrics(dir, 5); err == nil || !strings.Contains(err.Error(), MetricsFile) {
		t.Fatalf("resume past the file's epochs: %v; want an error naming %s", err, MetricsFile)
	}
	if ep, acc := BestEpoch([]EpochMetrics{{Epoch: 1, ValidAcc: 0.5}, {Epoch: 2, ValidAcc: 0.7}, {Epoch: 3, ValidAcc: 0.7}}); ep != 2 || acc != 0.7 {
		t.Fatalf("BestEpoch: epoch %d acc %g; want the first epoch with the best validation accuracy (2, 0.7)", ep, acc)
	}
}
