package notebook

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// Kernel → Interrupt reaches a cell's program as SIGINT (GoNB sends it, and kills the program five seconds
// later). Under Interruptible the program is not killed by it: training stops at the next step, and the
// finished epochs stay in the run folder for the cells below. The signal here goes to the test itself.
func TestInterruptKeepsFinishedEpochs(t *testing.T) {
	if os.Getenv(engine.BackendEnv) == "" {
		t.Setenv(engine.BackendEnv, "go") // Tiny graphs: XLA's compilation would dominate.
	}
	b, err := engine.NewBackend(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := ssgan.DefaultTrainConfig()
	cfg.Model.DSize, cfg.Model.GSize, cfg.Model.ZDim = 4, 2, 8
	cfg.BatchSize, cfg.BNBatches, cfg.Epochs = 16, 2, 3
	m, err := ssgan.NewModel(b, cfg, ssgan.ReferencePieces())
	if err != nil {
		t.Fatal(err)
	}
	im := data.SyntheticDigits(32, 1)
	ds := &data.Dataset{Train: im, Test: im, Mask: make([]bool, 32)}
	out := t.TempDir()
	ctx, stop := Interruptible()
	defer stop()
	history, err := ssgan.Train(ctx, m, ds, ssgan.RunOptions{OutDir: out, OnEpoch: func(e run.EpochMetrics) error {
		if e.Epoch == 1 {
			if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
				return err
			}
			select { // The signal arrives asynchronously; wait for it, as epoch 2 would otherwise race it.
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Error("SIGINT did not cancel the context within 10 s")
			}
		}
		return nil
	}})
	if !Interrupted(err) || len(history) != 1 {
		t.Fatalf("SIGINT after epoch 1: Train returned %d epochs and %v, want 1 and an interruption", len(history), err)
	}
	kept, err := run.ReadMetrics(filepath.Join(out, run.MetricsFile))
	if err != nil || len(kept) != 1 {
		t.Fatalf("the run folder keeps %d epochs (%v), want 1", len(kept), err)
	}
	ck, err := ssgan.OpenCheckpoint(filepath.Join(out, run.CheckpointFile))
	if err != nil || ck.Epoch() != 1 {
		t.Fatalf("checkpoint after the interruption: %v (%v), want epoch 1", ck, err)
	}
}
