package ssgan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// recorder is a Watcher that writes down every call.
type recorder struct {
	calls   []string
	samples int
	cancel  func(epoch, step int) // Called at each step (to interrupt the run).
	ended   []run.EpochMetrics
	err     error
}

func (r *recorder) Start(run run.Info) {
	r.calls = append(r.calls, fmt.Sprintf("start %d-%d x%d", run.FirstEpoch, run.Epochs, run.StepsPerEpoch))
}
func (r *recorder) Step(epoch, step int) {
	r.calls = append(r.calls, fmt.Sprintf("step %d.%d", epoch, step))
	if r.cancel != nil {
		r.cancel(epoch, step)
	}
}
func (r *recorder) Epoch(history []run.EpochMetrics, samples []byte) {
	r.calls = append(r.calls, fmt.Sprintf("epoch %d", len(history)))
	if bytes.HasPrefix(samples, []byte("\x89PNG")) {
		r.samples++
	}
}
func (r *recorder) End(history []run.EpochMetrics, err error) {
	r.calls = append(r.calls, "end")
	r.ended, r.err = history, err
}

// Train tells its watcher of every step and epoch in order, with each epoch's sample grid as PNG, and
// ends it once; an interrupted run ends it with the context's error and the finished epochs, which stay
// on disk.
func TestTrainWatcher(t *testing.T) {
	cfg := tinyConfig()
	cfg.Epochs = 2
	im := data.SyntheticDigits(32, 1)
	ds := &data.Dataset{Train: im, Test: im, Mask: make([]bool, 32)}
	r := &recorder{}
	if _, err := Train(context.Background(), newTiny(t, cfg), ds, RunOptions{Watch: r}); err != nil {
		t.Fatal(err)
	}
	want := []string{"start 1-2 x2", "step 1.1", "step 1.2", "epoch 1", "step 2.1", "step 2.2", "epoch 2", "end"}
	if !slices.Equal(r.calls, want) || r.samples != 2 || len(r.ended) != 2 || r.err != nil {
		t.Errorf("calls %v with %d sample grids, ended with %d epochs and %v; want %v, 2 grids, 2 epochs, nil", r.calls, r.samples, len(r.ended), r.err, want)
	}

	cfg.Epochs = 3
	ctx, cancel := context.WithCancel(context.Background())
	r = &recorder{cancel: func(epoch, step int) {
		if epoch == 2 && step == 1 {
			cancel()
		}
	}}
	out := t.TempDir()
	_, err := Train(ctx, newTiny(t, cfg), ds, RunOptions{OutDir: out, Watch: r})
	if !errors.Is(err, context.Canceled) || !errors.Is(r.err, context.Canceled) || len(r.ended) != 1 || r.calls[len(r.calls)-1] != "end" {
		t.Fatalf("interrupted in epoch 2: Train returned %v, the watcher ended with %v and %d epochs (calls %v); want context.Canceled and 1 epoch", err, r.err, len(r.ended), r.calls)
	}
	if h, err := run.ReadMetrics(out + "/" + run.MetricsFile); err != nil || len(h) != 1 {
		t.Errorf("after the interruption the run folder holds %d epochs (%v), want the finished one", len(h), err)
	}
	if ck, err := OpenCheckpoint(out + "/" + run.CheckpointFile); err != nil || ck.Epoch() != 1 {
		t.Errorf("after the interruption the checkpoint is %v (%v), want epoch 1", ck, err)
	}
}
