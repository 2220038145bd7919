package ssgan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// tinyConfig is a model small enough for unit tests.
func tinyConfig() TrainConfig {
	cfg := DefaultTrainConfig()
	cfg.Model.DSize, cfg.Model.GSize, cfg.Model.ZDim = 4, 2, 8
	cfg.BatchSize = 16
	cfg.BNBatches = 2
	return cfg
}

func newTiny(t *testing.T, cfg TrainConfig) *Model {
	t.Helper()
	m, err := NewModel(backend(t), cfg, ReferencePieces())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// trainBatches returns the batches of 48 synthetic images, a third labelled.
func trainBatches(cfg TrainConfig) (*data.Images, []data.Batch) {
	im := data.SyntheticDigits(48, 3)
	mask, _ := data.LabelMask(im.Labels, 16, false, 1)
	var out []data.Batch
	for b := range data.Batches(im, cfg.BatchSize, rand.New(rand.NewPCG(4, 5)), mask) {
		out = append(out, b)
	}
	return im, out
}

// trainedTiny trains a tiny model one epoch on trainBatches and recomputes its inference BN statistics.
func trainedTiny(t *testing.T, cfg TrainConfig) (*Model, *data.Images, []data.Batch) {
	t.Helper()
	m := newTiny(t, cfg)
	im, batches := trainBatches(cfg)
	for _, b := range batches {
		if _, err := m.courseStep(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.RefreshBNStats(im, 2, 1); err != nil {
		t.Fatal(err)
	}
	return m, im, batches
}

func snapshot(store *model.Store) map[string][]float32 {
	out := make(map[string][]float32)
	for v := range store.IterVariables() {
		if v.Trainable {
			out[v.Path()] = flat32(v.MustValue())
		}
	}
	return out
}

// TestEachPlayerUpdatesOnlyItsVariables gives one player's optimizer a single variable of its network (the
// split decides what each optimizer updates): a step moves that variable and the other player's, and
// none of the first player's others, so neither optimizer touches what is not in its list.
func TestEachPlayerUpdatesOnlyItsVariables(t *testing.T) {
	cfg := tinyConfig()
	_, batches := trainBatches(cfg)
	for _, narrowed := range []string{GeneratorScope, DiscriminatorScope} {
		var kept string
		p := ReferencePieces()
		p.SplitVariables = func(store *model.Store) (d, g []*model.Variable, err error) {
			d, g, err = SplitVariables(store)
			if narrowed == DiscriminatorScope {
				d = d[:1]
				kept = d[0].Path()
			} else {
				g = g[:1]
				kept = g[0].Path()
			}
			return d, g, err
		}
		m, err := NewModel(backend(t), cfg, p)
		if err != nil {
			t.Fatal(err)
		}
		m.splitChecked = true // The narrowed split is the point here; the check would refuse it.
		if _, err := m.courseStep(batches[0]); err != nil {
			t.Fatal(err)
		}
		before := snapshot(m.Store)
		if _, err := m.courseStep(batches[1]); err != nil {
			t.Fatal(err)
		}
		after := snapshot(m.Store)
		movedKept, movedOther := false, 0
		for path, old := range before {
			moved := !slices.Equal(old, after[path])
			switch {
			case path == kept:
				movedKept = moved
			case strings.HasPrefix(path, "/"+narrowed+"/"):
				if moved {
					t.Errorf("%s moved although the %s's list holds only %s", path, narrowed, kept)
				}
			case moved:
				movedOther++
			}
		}
		if !movedKept || movedOther == 0 {
			t.Errorf("%s narrowed to %s: it moved %v; %d of the other player's variables moved", narrowed, kept, movedKept, movedOther)
		}
	}
}

func TestVariableSplitChecks(t *testing.T) {
	m := newTiny(t, tinyConfig())
	_, batches := trainBatches(m.Config)
	if _, err := m.courseStep(batches[0]); err != nil {
		t.Fatal(err)
	}
	d, g, err := SplitVariables(m.Store)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		d, g []*model.Variable
		want string
	}{
		{"generator variable in the discriminator's list", append(append([]*model.Variable{}, d...), g[0]), g[1:],
			"a generator variable (/generator/"},
		{"shared variable", d, append(append([]*model.Variable{}, g...), d[0]), "belongs to both players"},
		{"missing variable", d[1:], g, "belongs to no player"},
		{"empty list", d, nil, "the generator's list is empty"},
	} {
		if err := VerifySplit(m.Store, tc.d, tc.g); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	m.Store.VariableWithValue("/stray/weights", float32(1))
	if err := m.CheckVariableSplit(); err == nil || !strings.Contains(err.Error(), "/stray/weights") {
		t.Fatalf("stray variable: error %v", err)
	}
}

// TestPredictionIndependentOfBatch: with stored BN statistics and no dropout, an image's logits do not
// depend on what else is in its batch, nor on the batch size; the course's batch statistics failed this.
func TestPredictionIndependentOfBatch(t *testing.T) {
	cfg := tinyConfig()
	m, im, _ := trainedTiny(t, cfg)
	logits, err := model.NewExec(backend(t), m.Store, func(scope *model.Scope, x *Node) *Node {
		l, _ := Discriminator(scope, cfg.Model, m.Pieces, x, BNMode{})
		return l
	})
	if err != nil {
		t.Fatal(err)
	}
	run := func(idx ...int) []float32 {
		sub := im.Subset(idx)
		px := make([]float32, len(sub.Pixels))
		for i, v := range sub.Pixels {
			px[i] = data.ScalePixel(v)
		}
		out, err := logits.Call(tensors.FromFlatDataAndDimensions(px, len(idx), data.ImageSize, data.ImageSize, data.ImageChannels))
		if err != nil {
			t.Fatal(err)
		}
		return flat32(out[0])
	}
	k := NumLogits(cfg.Model.NumClasses(), cfg.Model.ExtraClass)
	alone := run(7)
	inBatch := run(3, 7, 11, 20)[k : 2*k]
	otherBatch := run(7, 0, 1, 2, 4, 5, 6, 8)[:k]
	assertClose(t, "logits alone vs in a batch", inBatch, alone, 1e-5)
	assertClose(t, "logits alone vs another batch", otherBatch, alone, 1e-5)
}

func TestSameSeedSameResults(t *testing.T) {
	run := func(seed uint64) []StepResult {
		cfg := tinyConfig()
		cfg.Seed = seed
		m := newTiny(t, cfg)
		_, batches := trainBatches(cfg)
		var out []StepResult
		for _, b := range batches {
			r, err := m.courseStep(b)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	a, b, c := run(1), run(1), run(2)
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different results:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("different seeds gave identical results %v", a)
	}
}

func TestSupervisedOnlyHasNoGenerator(t *testing.T) {
	cfg := tinyConfig()
	cfg.SupervisedOnly = true
	m := newTiny(t, cfg)
	_, batches := trainBatches(cfg)
	r, err := m.courseStep(batches[0])
	if err != nil {
		t.Fatal(err)
	}
	var d, g int
	for v := range m.Store.IterVariables() {
		if v.Trainable && strings.HasPrefix(v.Path(), "/generator/") {
			g++
		} else if v.Trainable {
			d++
		}
	}
	if g != 0 || d == 0 {
		t.Errorf("supervised-only: %d generator and %d other variables, want 0 and >0", g, d)
	}
	if r.GLoss != 0 || !(r.DLoss > 0) {
		t.Errorf("supervised-only step %+v: want a positive discriminator loss and no generator loss", r)
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	cfg := tinyConfig()
	m, im, batches := trainedTiny(t, cfg)
	dir := t.TempDir()
	if err := m.SaveCheckpoint(dir, 3); err != nil {
		t.Fatal(err)
	}
	loaded, ck, err := LoadCheckpoint(backend(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Epoch() != 3 || !reflect.DeepEqual(ck.Config(), cfg) {
		t.Errorf("checkpoint epoch %d config %+v, want 3 and %+v", ck.Epoch(), ck.Config(), cfg)
	}
	for b := range data.Batches(im, 16, nil, nil) {
		p1, err1 := m.Predict(b)
		p2, err2 := loaded.Predict(b)
		if err1 != nil || err2 != nil || !slices.Equal(p1, p2) {
			t.Fatalf("predictions differ after reload: %v %v (%v, %v)", p1, p2, err1, err2)
		}
	}
	// Training resumes from the same state: the next step is identical.
	r1, err1 := m.courseStep(batches[0])
	r2, err2 := loaded.courseStep(batches[0])
	if err1 != nil || err2 != nil || r1 != r2 {
		t.Errorf("resumed step differs: %+v vs %+v (%v, %v)", r1, r2, err1, err2)
	}

	path := filepath.Join(dir, run.CheckpointFile)
	raw, _ := os.ReadFile(path)
	for name, content := range map[string][]byte{
		"truncated": raw[:len(raw)-10],
		"corrupt":   append(append([]byte{}, raw[:len(raw)-5]...), 1, 2, 3, 4, 5),
		"foreign":   []byte("hello"),
	} {
		NotFinite := filepath.Join(t.TempDir(), run.CheckpointFile)
		os.WriteFile(NotFinite, content, 0o644)
		if _, _, err := LoadCheckpoint(backend(t), filepath.Dir(NotFinite)); err == nil || !strings.Contains(err.Error(), NotFinite) {
			t.Errorf("%s checkpoint: error %v, want one naming %s", name, err, NotFinite)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("checkpoint directory holds %d files, want 1 (no temporary files left)", len(entries))
	}
}

// TestTrainEndToEnd trains a small model on generated digits and checks that the losses move, the
// classifier beats chance (10%) by a wide margin, and every output file is written.
func TestTrainEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("an accuracy floor after 4 epochs (~25 s): make test-full runs it")
	}
	cfg := DefaultTrainConfig()
	cfg.Model.DSize, cfg.Model.GSize = 16, 8
	cfg.Model.Drop, cfg.Model.InputDrop = 0, 0 // Dropout slows the first hundred steps of a small net a lot.
	cfg.BatchSize, cfg.Epochs = 64, 4
	cfg.Data.Labels, cfg.Data.MaxTest = 800, 500
	train, test := data.SyntheticDigits(1600, 1), data.SyntheticDigits(1000, 2)
	ds, err := data.NewDataset(train, test, cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	m := newTiny(t, cfg)
	out := t.TempDir()
	var epochs []int
	history, err := Train(context.Background(), m, ds, RunOptions{OutDir: out, OnEpoch: func(e run.EpochMetrics) error {
		epochs = append(epochs, e.Epoch)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 4 || !slices.Equal(epochs, []int{1, 2, 3, 4}) {
		t.Fatalf("ran epochs %v", epochs)
	}
	first, last := history[0], history[len(history)-1]
	t.Logf("first %+v\nlast %+v", first, last)
	if !(last.DLoss < first.DLoss-0.5) {
		t.Errorf("discriminator loss did not fall: %.3f -> %.3f", first.DLoss, last.DLoss)
	}
	if last.GLoss == first.GLoss {
		t.Errorf("generator loss did not move")
	}
	if last.TestAcc < 0.2 {
		t.Errorf("test accuracy %.3f, want > 0.2 (chance is 0.1)", last.TestAcc)
	}
	if m.LearningRate() > cfg.LearningRate*0.9*0.9*0.9*0.9+1e-9 {
		t.Errorf("learning rate %g after 4 epochs, want %g", m.LearningRate(), cfg.LearningRate*0.6561)
	}
	for _, name := range []string{run.MetricsFile, run.CurvesFile, run.CheckpointFile, "samples_001.png", "samples_004.png"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Errorf("output %s missing or empty (%v)", name, err)
		}
	}
	lines, _ := os.ReadFile(filepath.Join(out, run.MetricsFile))
	if n := strings.Count(string(lines), "\n"); n != 4 {
		t.Errorf("metrics.jsonl has %d lines, want 4", n)
	}
}

func TestNaNLossStopsTraining(t *testing.T) {
	cfg := tinyConfig()
	cfg.Epochs = 1
	p := ReferencePieces()
	p.GeneratorLoss = func(real, fake *Node) *Node {
		return Div(GeneratorLoss(real, fake), ScalarZero(real.Graph(), dtypes.Float32)) // +Inf or NaN.
	}
	m, err := NewModel(backend(t), cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	im := data.SyntheticDigits(32, 1)
	ds := &data.Dataset{Train: im, Test: im, Mask: make([]bool, 32)}
	_, err = Train(context.Background(), m, ds, RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "not finite") || !strings.Contains(err.Error(), "epoch 1 step 1") {
		t.Fatalf("error %v, want a not-finite loss error naming epoch 1 step 1", err)
	}
}

// A checkpoint whose checksum is right but whose values do not fit their dimensions is an error naming
// the variable, not a panic.
func TestRestoreRefusesInconsistentCheckpoint(t *testing.T) {
	m, _, _ := trainedTiny(t, tinyConfig())
	dir := t.TempDir()
	if err := m.SaveCheckpoint(dir, 1); err != nil {
		t.Fatal(err)
	}
	ck, err := readCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	victim := ""
	for i, sv := range ck.Vars {
		if len(sv.F32) > 1 {
			ck.Vars[i].F32 = sv.F32[:len(sv.F32)-1]
			victim = sv.Path
			break
		}
	}
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(ck); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body.Bytes())
	raw := append(append([]byte(checkpointMagic), sum[:]...), body.Bytes()...)
	if err := os.WriteFile(filepath.Join(dir, run.CheckpointFile), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = LoadCheckpoint(backend(t), dir)
	if err == nil || !strings.Contains(err.Error(), victim) || !strings.Contains(err.Error(), "inconsistent") {
		t.Fatalf("LoadModel of an inconsistent checkpoint: %v; want an error naming %s", err, victim)
	}
	// Crafted dimensions, with a valid checksum: huge without values, negative, overflowing. Refused
	// before anything of their size is allocated.
	for _, dims := range [][]int{{1 << 20, 1 << 20}, {-3, 5}, {1 << 40, 1 << 40}} {
		ck.Vars = []savedVar{{Path: "/discriminator/crafted", DType: "float32", Dims: dims}}
		body.Reset()
		if err := gob.NewEncoder(&body).Encode(ck); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body.Bytes())
		os.WriteFile(filepath.Join(dir, run.CheckpointFile), append(append([]byte(checkpointMagic), sum[:]...), body.Bytes()...), 0o644)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err = LoadCheckpoint(backend(t), dir)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "/discriminator/crafted") {
			t.Errorf("dimensions %v: %v; want an error naming the variable", dims, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
			t.Errorf("dimensions %v: allocated %d bytes before refusing", dims, grew)
		}
	}
}

// The pieces' SplitVariables decides what each optimizer updates: a generator variable left out of both
// lists keeps its value through a step, and is trained when it is in the generator's list.
func TestSplitDecidesWhatEachOptimizerUpdates(t *testing.T) {
	cfg := tinyConfig()
	const victim = "/generator/dense/weights"
	for _, leaveOut := range []bool{false, true} {
		p := ReferencePieces()
		p.SplitVariables = func(store *model.Store) (d, g []*model.Variable, err error) {
			d, g, err = SplitVariables(store)
			if leaveOut {
				g = slices.DeleteFunc(g, func(v *model.Variable) bool { return v.Path() == victim })
			}
			return d, g, err
		}
		m, err := NewModel(backend(t), cfg, p)
		if err != nil {
			t.Fatal(err)
		}
		_, batches := trainBatches(cfg)
		if _, err := m.courseStep(batches[0]); err != nil && !leaveOut {
			t.Fatal(err)
		}
		// The first step builds the graph: the variable's value after it is its initial value or one update
		// later. Compare a second step's start and end.
		v := m.Store.GetVariable(victim)
		if v == nil {
			t.Fatalf("no variable %s", victim)
		}
		before := flat32(v.MustValue())
		m.splitChecked = true // Leaving a variable out is what the check refuses; here it is the point.
		if _, err := m.courseStep(batches[1]); err != nil {
			t.Fatal(err)
		}
		changed := !slices.Equal(before, flat32(v.MustValue()))
		if changed == leaveOut {
			t.Errorf("%s left out of the split: %v; it changed in a step: %v", victim, leaveOut, changed)
		}
	}
}
