package notebooks

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The notebooks need Jupyter and the GoNB kernel (notebooks/setup.sh). `make test` installs them and sets
// SSGAN_NOTEBOOK_TESTS=1; then a missing tool is a failure, not a skip.
func requireJupyter(t *testing.T) string {
	t.Helper()
	root, _ := filepath.Abs("..")
	if os.Getenv("SSGAN_NOTEBOOK_TESTS") != "1" {
		t.Skip("set SSGAN_NOTEBOOK_TESTS=1 (make test does, after notebooks/setup.sh) to execute the notebooks")
	}
	if _, err := os.Stat(filepath.Join(root, ".venv", "bin", "jupyter")); err != nil {
		t.Fatalf("Jupyter is not installed in .venv: run notebooks/setup.sh (%v)", err)
	}
	return root
}

type output struct {
	OutputType string          `json:"output_type"`
	Name       string          `json:"name"`
	Text       json.RawMessage `json:"text"`
	Data       map[string]any  `json:"data"`
	EName      string          `json:"ename"`
	EValue     string          `json:"evalue"`
}

type cell struct {
	CellType string          `json:"cell_type"`
	Source   json.RawMessage `json:"source"`
	Outputs  []output        `json:"outputs"`
}

func text(raw json.RawMessage) string {
	var lines []string
	if json.Unmarshal(raw, &lines) == nil {
		return strings.Join(lines, "")
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// testSetting is the setting the tests execute the SVHN notebooks at: smoke (tiny networks, two epochs:
// every cell runs, in minutes), or SSGAN_TEST_SETTING (make test-full: quick, the setting make main runs).
func testSetting() string {
	if s := os.Getenv("SSGAN_TEST_SETTING"); s != "" {
		return s
	}
	return "smoke"
}

// execute runs notebooks/run.sh on a notebook and returns the executed notebook's cells.
func execute(t *testing.T, root, name string, extra ...string) []cell {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join(root, "notebooks", "run.sh"), name}, extra...)...)
	cmd.Env = append(os.Environ(), "SSGAN_SETTING="+testSetting())
	if testSetting() == "smoke" && name != "mnist" && os.Getenv("XLA_FLAGS") == "" {
		// A smoke run takes a few steps per graph, so XLA's compilation dominates it; level 0 compiles in
		// about 60% of the time and runs steps about twice as slowly (ssgan/bench/results/speed/xla_compile_options.md).
		cmd.Env = append(cmd.Env, "XLA_FLAGS=--xla_backend_optimization_level=0")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("executing %s.ipynb: %v\n%s", name, err, out)
	}
	raw, err := os.ReadFile(filepath.Join(root, "out", "notebooks", name+".executed.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var nb struct{ Cells []cell }
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "out", "notebooks", name+".executed.html")); err != nil {
		t.Errorf("no HTML copy of %s: %v", name, err)
	}
	return nb.Cells
}

// failure returns what a cell reported as an error: an error output, GoNB's stderr ("exit status", a
// panic, a failed test), or a panic or failed %test in any output (GoNB does not mark those cells as
// failed, so the outputs themselves are read).
func failure(c cell) string {
	for _, o := range c.Outputs {
		if o.OutputType == "error" {
			return o.EName + ": " + o.EValue
		}
		if o.OutputType == "stream" && o.Name == "stderr" {
			return text(o.Text)
		}
		if t := text(o.Text); o.OutputType == "stream" && (strings.Contains(t, "--- FAIL") || goPanic.MatchString(t)) {
			return t
		}
	}
	return ""
}

var goPanic = regexp.MustCompile(`(?m)^(panic: |goroutine \d+ \[running\]:)`)

func allText(c cell) string {
	var b strings.Builder
	for _, o := range c.Outputs {
		b.WriteString(text(o.Text))
	}
	return b.String()
}

// checkCells reports every failed cell and every image without alt text, and returns the number of
// inline PNG images.
func checkCells(t *testing.T, cells []cell) (pngs int) {
	t.Helper()
	for i, c := range cells {
		if f := failure(c); f != "" {
			t.Errorf("cell %d failed: %s", i, f)
		}
		for _, o := range c.Outputs {
			if _, ok := o.Data["image/png"]; ok {
				t.Errorf("cell %d shows a PNG without alt text: display it with notebook.Show", i)
				pngs++
			}
			if h := joined(o.Data["text/html"]); h != "" {
				for _, img := range imgTag.FindAllStringSubmatch(h, -1) {
					pngs++
					if strings.TrimSpace(img[1]) == "" {
						t.Errorf("cell %d shows an image with empty alt text", i)
					}
				}
			}
		}
	}
	return pngs
}

// joined is a notebook output's value as one string: nbformat stores it as a string or a list of lines.
func joined(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var b strings.Builder
		for _, l := range v {
			s, _ := l.(string)
			b.WriteString(s)
		}
		return b.String()
	}
	return ""
}

var imgTag = regexp.MustCompile(`<img alt="([^"]*)" src="data:image/png;base64,`)

// checkTrainingCells: every cell that trains a run (it prints "training: " or holds a panel) ends with its
// live panel finished ("finished: N epochs") and holds at most two pictures, the panel's last curves and
// samples: the panel is updated in place, not appended to. It returns the number of training cells.
func checkTrainingCells(t *testing.T, cells []cell) (runs int) {
	t.Helper()
	for i, c := range cells {
		var html strings.Builder
		for _, o := range c.Outputs {
			html.WriteString(joined(o.Data["text/html"]))
		}
		if !strings.Contains(html.String(), "<progress") {
			if strings.Contains(allText(c), "training: ") {
				t.Errorf("cell %d trains without a live panel", i)
			}
			continue
		}
		runs += strings.Count(html.String(), "<progress")
		if n := len(imgTag.FindAllString(html.String(), -1)); n > 2 {
			t.Errorf("cell %d holds %d pictures, want at most two (the panel's curves and samples)", i, n)
		}
		if !finished.MatchString(html.String()) {
			t.Errorf("cell %d: the panel does not say the run finished: %s", i, html.String())
		}
	}
	return runs
}

var finished = regexp.MustCompile(`finished: \d+ epochs in `)

func TestSolutionNotebookRunsEndToEnd(t *testing.T) {
	root := requireJupyter(t)
	cells := execute(t, root, "solutions")
	pngs, epochLines := checkCells(t, cells), 0
	epoch := regexp.MustCompile(`(?m)^Epoch \d+/\d+ +train acc [0-9.]+ +test acc [0-9.]+`)
	for _, c := range cells {
		epochLines += len(epoch.FindAllString(allText(c), -1))
	}
	// Real samples, untrained generator, the panels' curves and samples, learning curves, final samples.
	if pngs < 5 {
		t.Errorf("%d inline PNG images, want the sample grids and the learning curves (at least 5)", pngs)
	}
	if epochLines < 2 {
		t.Errorf("%d per-epoch accuracy lines, want one per epoch", epochLines)
	}
	// Each of the four runs trains (the training lines), the two procedures are compared, the feature
	// figure's sentence is computed, and the last cell says what this run showed.
	trained := regexp.MustCompile(`(?m)^training: `)
	runs := 0
	for _, c := range cells {
		runs += len(trained.FindAllString(allText(c), -1))
	}
	if runs != 4 {
		t.Errorf("%d training runs, want 4 (each procedure with the GAN and on the labels alone)", runs)
	}
	if panels := checkTrainingCells(t, cells); panels != 4 {
		t.Errorf("%d live panels, want one per run (4)", panels)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`final test accuracy: [0-9.]+%`),
		regexp.MustCompile(`the course's procedure, one seed each: labels \+ GAN [0-9.]+%, labels alone [0-9.]+%`),
		regexp.MustCompile(`the paper's procedure, one seed each: labels \+ GAN [0-9.]+%, labels alone [0-9.]+%`),
		regexp.MustCompile(`nearest-centroid accuracy on all \d+ features: labels \+ GAN [0-9.]+%, labels alone [0-9.]+%`),
		regexp.MustCompile(`(?s)The course's procedure: labels \+ GAN .*the paper's procedure: labels \+ GAN .*\n(This was|On generated|In this run)`),
	} {
		if lastMatch(cells, want) < 0 {
			t.Errorf("no cell printed %q", want)
		}
	}
	if i := lastMatch(cells, regexp.MustCompile(`The course's procedure: labels \+ GAN`)); i != lastCodeCell(cells) {
		t.Errorf("the summary of what this run showed is in cell %d, want the last code cell (%d)", i, lastCodeCell(cells))
	}
	checkStatedSetting(t, cells)
}

// lastMatch returns the index of the last cell whose output matches re (-1 if none).
func lastMatch(cells []cell, re *regexp.Regexp) int {
	at := -1
	for i, c := range cells {
		if re.MatchString(allText(c)) {
			at = i
		}
	}
	return at
}

func lastCodeCell(cells []cell) int {
	at := 0
	for i, c := range cells {
		if c.CellType == "code" {
			at = i
		}
	}
	return at
}

// checkStatedSetting: the setting the notebook states before training ("setting (quick): a; b; ...")
// matches what the training cell says it ran ("training: ..."), which ssgan.DescribeRun reads from the
// model and the data set: every stated item must appear there.
func checkStatedSetting(t *testing.T, cells []cell) {
	t.Helper()
	stated := regexp.MustCompile(`(?m)^setting \((quick|course|smoke)\): (.+)$`)
	ran := regexp.MustCompile(`(?m)^training: (.+)$`)
	var s, r []string
	for _, c := range cells {
		if m := stated.FindStringSubmatch(allText(c)); m != nil {
			s = m
		}
		if m := ran.FindStringSubmatch(allText(c)); m != nil && r == nil {
			r = m // The first run: the GAN (the labels-only run after it trains the same setting).
		}
	}
	if s == nil || r == nil {
		t.Fatalf("the notebook must print its setting (%v) and what its training ran (%v)", s != nil, r != nil)
	}
	for _, item := range strings.Split(s[2], "; ") {
		if !strings.Contains(r[1], item) {
			t.Errorf("the notebook states %q, but its training ran: %s", item, r[1])
		}
	}
	// The table of settings: its "this run" column says what the training line says ran.
	widths := regexp.MustCompile(`(?m)^network widths d, g +\d+, \d+ +(\d+), (\d+)`)
	budget := regexp.MustCompile(`(?m)^batch, epochs +\d+, \d+ +(\d+), (\d+)`)
	chosen := regexp.MustCompile(`(?m)^this run: the (quick|course|smoke) setting`)
	var w, b, c []string
	for _, cl := range cells {
		txt := allText(cl)
		w, b, c = firstMatch(w, widths, txt), firstMatch(b, budget, txt), firstMatch(c, chosen, txt)
	}
	switch {
	case w == nil || b == nil || c == nil:
		t.Errorf("the notebook must print its table of settings and its choice (found widths %v, budget %v, choice %v)", w != nil, b != nil, c != nil)
	default:
		for _, want := range []string{"d_size " + w[1], "g_size " + w[2], "batch " + b[1], b[2] + " epochs"} {
			if !strings.Contains(r[1], want) {
				t.Errorf("the table says %q for this run, but its training ran: %s", want, r[1])
			}
		}
		if c[1] != s[1] {
			t.Errorf("the notebook chose the %s setting but states the %s one", c[1], s[1])
		}
	}
	t.Logf("stated: %s\nran: %s", s[2], r[1])
}

// firstMatch keeps an earlier match, else matches re in txt.
func firstMatch(prev []string, re *regexp.Regexp, txt string) []string {
	if prev != nil {
		return prev
	}
	return re.FindStringSubmatch(txt)
}

// TestMNISTNotebookShowsTheLift runs the MNIST notebook on the official files beside the repository
// (../shared/data/mnist; skipped without them, as the notebook would try to download). At the smoke
// setting (make test) every cell must run; at the notebook's own budget (make test-full) the GAN must also
// beat labels alone by a clear margin.
func TestMNISTNotebookShowsTheLift(t *testing.T) {
	root := requireJupyter(t)
	mnist := filepath.Join(root, "..", "shared", "data", "mnist")
	if _, err := os.Stat(filepath.Join(mnist, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skipf("MNIST files not found in %s: the notebook would need to download them", mnist)
	}
	t.Setenv("SSGAN_MNIST_DIR", mnist)
	cells := execute(t, root, "mnist")
	pngs := checkCells(t, cells)
	if panels := checkTrainingCells(t, cells); panels != 2 {
		t.Errorf("%d live panels, want one per run (2)", panels)
	}
	var summary []string
	line := regexp.MustCompile(`after (\d+) epochs?: labels only ([0-9.]+)%, labels \+ GAN ([0-9.]+)% \(([+-][0-9.]+) points\)`)
	for _, c := range cells {
		if m := line.FindStringSubmatch(allText(c)); m != nil {
			summary = m
		}
	}
	if pngs < 3 {
		t.Errorf("%d inline images, want the real digits, the samples and the curves", pngs)
	}
	if summary == nil {
		t.Fatal("no final comparison line")
	}
	t.Logf("%s", summary[0])
	if testSetting() == "smoke" {
		return // One short epoch proves the cells run; the lift needs the notebook's own budget (make test-full).
	}
	if lift, _ := strconv.ParseFloat(summary[4], 64); lift < 3 {
		t.Errorf("the GAN lifts test accuracy by %s points over labels alone; want at least 3 (recorded: about 8 after 4 epochs)", summary[4])
	}
}

// TestExerciseNotebookStopsAtFirstExercise: everything before the first exercise runs cleanly, and the
// first exercise's check fails with the friendly message. It runs the notebook up to that check, where a
// learner has to act: each cell after it fails until its exercise is done (ssgan/lessoncheck proves that
// for every stub, and that every answer passes), and building those cells took two of the test's three minutes.
func TestExerciseNotebookStopsAtFirstExercise(t *testing.T) {
	root := requireJupyter(t)
	head := filepath.Join(root, "notebooks", ".exercises-head.ipynb")
	if err := writeHead(filepath.Join(root, "notebooks", "exercises.ipynb"), head, "%test", "GlobalAveragePool"); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(head)
	cells := execute(t, root, ".exercises-head", "--ExecutePreprocessor.allow_errors=True")
	want := "exercise 1 (GlobalAveragePool) not implemented yet — edit the GlobalAveragePool cell above"
	for i, c := range cells {
		f := failure(c)
		if f == "" {
			continue
		}
		if !strings.Contains(allText(c), want) {
			t.Fatalf("first failing cell %d says %q, want the friendly message %q", i, f, want)
		}
		if !strings.Contains(text(c.Source), "%test") {
			t.Errorf("first failing cell %d is not the exercise's check cell", i)
		}
		return
	}
	t.Fatal("no cell failed: the exercise stubs should fail their checks")
}

// writeHead writes the notebook src up to its first code cell that holds both words (with the cells
// before it) to dst.
func writeHead(src, dst string, words ...string) error {
	raw, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var nb map[string]json.RawMessage
	if err := json.Unmarshal(raw, &nb); err != nil {
		return err
	}
	var cells []cell
	if err := json.Unmarshal(nb["cells"], &cells); err != nil {
		return err
	}
	var all []json.RawMessage
	_ = json.Unmarshal(nb["cells"], &all)
	for i, c := range cells {
		src := text(c.Source)
		found := c.CellType == "code"
		for _, w := range words {
			found = found && strings.Contains(src, w)
		}
		if found {
			nb["cells"], _ = json.Marshal(all[:i+1])
			out, err := json.Marshal(nb)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, out, 0o644)
		}
	}
	return fmt.Errorf("%s: no code cell holds %q", src, words)
}

// sourced matches the words that name where a number comes from: the course, the paper, a recorded run
// (the README's Evidence, ssgan/bench/results), or the package's own tables of file sizes.
var sourced = regexp.MustCompile(`course|paper|reports|recorded|results/|Evidence|README|data\.SVHNFiles|data\.MNISTFiles`)

// measured matches an accuracy, a duration or a size in prose.
var measured = regexp.MustCompile(`\d+(\.\d+)?\s?%|\d+(\.\d+)? ?(minutes|seconds|hours|MB)\b`)

// TestProseNumbersNameTheirSource: every paragraph of the notebooks' prose that states an accuracy, a
// time or a size also names where it comes from (printed numbers come from the cells themselves).
func TestProseNumbersNameTheirSource(t *testing.T) {
	for _, name := range []string{"lesson.md", "mnist.md"} {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		parts := regexp.MustCompile(`<!-- (markdown|code) -->`).Split(string(raw), -1)
		kinds := regexp.MustCompile(`<!-- (markdown|code) -->`).FindAllStringSubmatch(string(raw), -1)
		for i, k := range kinds {
			if k[1] != "markdown" {
				continue
			}
			for _, para := range strings.Split(parts[i+1], "\n\n") {
				if m := measured.FindString(para); m != "" && !sourced.MatchString(para) {
					t.Errorf("%s: %q states %s without naming its source (the course, the paper, a recorded run):\n%s", name, firstWords(para), m, para)
				}
			}
		}
	}
}

func firstWords(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
