package notebook

import (
	"context"
	"errors"
	"fmt"
	"html"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/ssgan-go/ssgan-go/ssgan/report"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// Panel shows a training run live in the running cell (pass it as ssgan.RunOptions.Watch): a progress
// line within the epoch (step k of N, steps per second, the time left for the whole run from timed steps)
// and below it the learning curves so far and the newest sample grid. Both are updated in place, so the
// cell keeps one progress line, one curves figure and one samples figure, also in a saved or headless-run
// notebook. Outside a notebook (the CLI, go test) it draws nothing and renders no picture.
type Panel struct {
	Title string
	// Beside are finished runs whose test accuracy is drawn into the accuracy axes with this run's (the
	// labels-only run beside the GAN run it is compared with).
	Beside []report.Curve
	// Every is the least time between two updates of the progress line (default 250 ms).
	Every time.Duration

	on                   bool
	progressID, figureID string
	run                  run.Info
	started, lastDraw    time.Time
	stepsDone            int           // Steps finished in this run.
	stepTime             time.Duration // Time in steps, from each epoch's second step on (the first compiles).
	timedSteps           int
	epochStart, lastStep time.Time
	epochEnds            time.Duration // Time between epochs' last steps and the next epochs' first: evaluation, samples, checkpoints.
	epochsDone           int
	samples              []byte
}

// NewPanel returns a panel with the given title for the run the next ssgan.Train call trains.
func NewPanel(title string) *Panel {
	return &Panel{Title: title, on: gonbui.IsNotebook}
}

// Start implements run.Watcher.
func (p *Panel) Start(run run.Info) {
	p.run, p.started = run, time.Now()
	if !p.on {
		return
	}
	id := gonbui.UniqueId()
	p.progressID, p.figureID = "progress_"+id, "figures_"+id
	p.draw(fmt.Sprintf("starting: epochs %d to %d, %d steps each; the first step compiles the step's graph", run.FirstEpoch, run.Epochs, run.StepsPerEpoch), 0)
}

// Step implements run.Watcher.
func (p *Panel) Step(epoch, step int) {
	now := time.Now()
	p.stepsDone++
	switch {
	case step == 1:
		p.epochStart = now
	default:
		p.stepTime += now.Sub(p.lastStep)
		p.timedSteps++
	}
	p.lastStep = now
	if !p.on || (now.Sub(p.lastDraw) < p.every() && step != p.run.StepsPerEpoch) {
		return
	}
	line := fmt.Sprintf("epoch %d of %d, step %d of %d", epoch, p.run.Epochs, step, p.run.StepsPerEpoch)
	if p.timedSteps > 0 {
		per := p.stepTime / time.Duration(p.timedSteps)
		line += fmt.Sprintf(" · %.1f steps/s · about %s left", float64(time.Second)/float64(per), roughly(p.timeLeft(epoch, step, per)))
	}
	done := float64(epoch-p.run.FirstEpoch) + float64(step)/float64(p.run.StepsPerEpoch)
	p.drawProgress(line, done/float64(p.run.Epochs-p.run.FirstEpoch+1))
}

// timeLeft estimates the rest of the run: its steps at the mean step time, and each remaining epoch's end
// at the mean time the finished ones took (before the first has ended, nothing for them).
func (p *Panel) timeLeft(epoch, step int, per time.Duration) time.Duration {
	steps := (p.run.Epochs-epoch)*p.run.StepsPerEpoch + p.run.StepsPerEpoch - step
	left := time.Duration(steps) * per
	if p.epochsDone > 0 {
		left += time.Duration(p.run.Epochs-epoch+1) * (p.epochEnds / time.Duration(p.epochsDone))
	}
	return left
}

// Epoch implements run.Watcher.
func (p *Panel) Epoch(history []run.EpochMetrics, samples []byte) {
	p.epochsDone++
	if samples != nil {
		p.samples = samples
	}
	if !p.on {
		return
	}
	p.drawFigures(history)
	p.epochEnds += time.Since(p.lastStep) // Evaluation, samples, checkpoint and these figures.
}

// End implements run.Watcher: the progress line says how the run ended; the figures stay.
func (p *Panel) End(history []run.EpochMetrics, err error) {
	if !p.on {
		return
	}
	took := roughly(time.Since(p.started))
	trained := len(history) - (p.run.FirstEpoch - 1) // This run's epochs (a resumed run's earlier ones not counted).
	var line string
	switch {
	case err == nil:
		line = fmt.Sprintf("finished: %d epochs in %s", trained, took)
	case Interrupted(err):
		line = fmt.Sprintf("interrupted after %s: %d of the epochs finished and are kept (checkpoint and metrics); the epoch in progress is dropped", took, trained)
	default:
		line = fmt.Sprintf("stopped by an error after %d epochs (%s): %v", trained, took, err)
	}
	p.drawProgress(line, float64(trained)/float64(p.run.Epochs-p.run.FirstEpoch+1))
	gonbui.Sync() // The last update reaches the notebook before the cell's program ends.
}

func (p *Panel) every() time.Duration {
	if p.Every > 0 {
		return p.Every
	}
	return 250 * time.Millisecond
}

func (p *Panel) draw(line string, fraction float64) {
	p.drawProgress(line, fraction)
	gonbui.UpdateHTML(p.figureID, `<div style="color:#777">the curves and samples appear after the first epoch</div>`)
}

func (p *Panel) drawProgress(line string, fraction float64) {
	p.lastDraw = time.Now()
	gonbui.UpdateHTML(p.progressID, ProgressHTML(p.Title, line, fraction))
}

// drawFigures shows the curves so far and the newest samples.
func (p *Panel) drawFigures(history []run.EpochMetrics) {
	gonbui.UpdateHTML(p.figureID, p.figuresHTML(history))
}

// figuresHTML renders the curves so far and the newest samples; a figure that fails to render is named in
// its place (the run goes on).
func (p *Panel) figuresHTML(history []run.EpochMetrics) string {
	var b strings.Builder
	b.WriteString(`<div style="display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start">`)
	curves, err := report.LearningCurvesBeside(history, p.run, p.Beside)
	if err != nil {
		fmt.Fprintf(&b, "<div>curves: %s</div>", html.EscapeString(err.Error()))
	} else {
		b.WriteString(ImageHTML(curves, fmt.Sprintf("%s: accuracy and losses after %d epochs", p.Title, len(history))))
	}
	if p.samples != nil {
		b.WriteString(ImageHTML(p.samples, fmt.Sprintf("%s: the generator's samples after epoch %d", p.Title, len(history))))
	}
	b.WriteString(`</div>`)
	return b.String()
}

// ProgressHTML is the panel's progress line: the title, a bar filled to fraction (0..1), and the line.
func ProgressHTML(title, line string, fraction float64) string {
	fraction = min(max(fraction, 0), 1)
	return fmt.Sprintf(`<div style="font-family:monospace"><b>%s</b> <progress value="%.3f" max="1" style="width:12em"></progress> %s</div>`,
		html.EscapeString(title), fraction, html.EscapeString(line))
}

// roughly writes a duration to the second under a minute, else to the minute ("3 min 20 s", "1 h 5 min").
func roughly(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min %d s", s/60, s%60)
	default:
		return fmt.Sprintf("%d h %d min", s/3600, s/60%60)
	}
}

// Interruptible returns a context that Kernel → Interrupt cancels: GoNB sends the cell's program SIGINT
// (and kills it five seconds later), and ssgan.Train stops at the next step boundary, keeping every
// finished epoch's checkpoint and metrics. Call stop when the training is done.
func Interruptible() (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

// Interrupted says whether a training error is an interruption (Kernel → Interrupt), not a failure.
func Interrupted(err error) bool { return errors.Is(err, context.Canceled) }
