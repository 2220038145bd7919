package notebook

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/report"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

func TestProgressHTML(t *testing.T) {
	got := ProgressHTML(`runs <a> & "b"`, "epoch 1 of 2 < done", 1.7)
	for _, want := range []string{`<b>runs &lt;a&gt; &amp; &#34;b&#34;</b>`, `value="1.000"`, "epoch 1 of 2 &lt; done"} {
		if !strings.Contains(got, want) {
			t.Errorf("ProgressHTML = %s, lacks %s", got, want)
		}
	}
}

func TestRoughly(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1400 * time.Millisecond: "1 s", 59 * time.Second: "59 s", 200 * time.Second: "3 min 20 s", 65 * time.Minute: "1 h 5 min",
	} {
		if got := roughly(d); got != want {
			t.Errorf("roughly(%v) = %q, want %q", d, got, want)
		}
	}
}

// The time left counts the steps still to run at the timed step time, and one end-of-epoch (evaluation,
// samples, checkpoint) per epoch not yet ended, at the mean of the finished ones.
func TestTimeLeft(t *testing.T) {
	p := &Panel{run: run.Info{FirstEpoch: 1, Epochs: 3, StepsPerEpoch: 10}, epochsDone: 1, epochEnds: 2 * time.Second}
	if got, want := p.timeLeft(2, 5, 100*time.Millisecond), 15*100*time.Millisecond+2*2*time.Second; got != want {
		t.Errorf("time left in epoch 2 step 5 = %v, want %v", got, want)
	}
	p.epochsDone = 0
	if got, want := p.timeLeft(1, 4, time.Second), 26*time.Second; got != want {
		t.Errorf("time left before any epoch ended = %v, want %v", got, want)
	}
}

// Outside a notebook the panel follows the run but draws nothing (and so renders no figure).
func TestPanelOutsideNotebook(t *testing.T) {
	p := NewPanel("run")
	p.Start(run.Info{FirstEpoch: 1, Epochs: 1, StepsPerEpoch: 2})
	p.Step(1, 1)
	p.Step(1, 2)
	p.Epoch([]run.EpochMetrics{{Epoch: 1}}, []byte("\x89PNG"))
	p.End([]run.EpochMetrics{{Epoch: 1}}, nil)
	if p.on || p.progressID != "" || !p.lastDraw.IsZero() || p.timedSteps != 1 {
		t.Errorf("outside a notebook: on %v, display id %q, last drawn %v, timed steps %d; want off, none, never, 1", p.on, p.progressID, p.lastDraw, p.timedSteps)
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if !Interrupted(fmt.Errorf("epoch 2: %w", ctx.Err())) || Interrupted(fmt.Errorf("loss is not finite")) || Interrupted(nil) {
		t.Error("Interrupted must hold for a cancelled context's error, wrapped or not, and only for it")
	}
}

// What the panel adds to a run in a notebook: its figures once per epoch (the progress line, a few hundred
// bytes of HTML, at most four times a second). Per epoch of a 15-epoch run with a sample grid.
func BenchmarkPanelFigures(b *testing.B) {
	history := make([]run.EpochMetrics, 15)
	for i := range history {
		history[i] = run.EpochMetrics{Epoch: i + 1, TrainAcc: 0.05 * float64(i), TestAcc: 0.04 * float64(i), DLoss: 2 - 0.1*float64(i), GLoss: 0.1}
	}
	grid := report.EncodePNG(report.SampleGrid(make([]float32, 50*32*32*3), data.SVHNShape, 5, 10))
	p := &Panel{Title: "bench", samples: grid}
	for b.Loop() {
		if len(p.figuresHTML(history)) == 0 {
			b.Fatal("no figures")
		}
	}
}
