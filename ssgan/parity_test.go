package ssgan

import (
	"cmp"
	"context"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/engine"
)

// The parity tests run the same model on GoMLX's pure-Go backend and on XLA with the CPU plugin that the
// set-up installs. They skip, with one line saying why, where the plugin is absent, except under
// SSGAN_REQUIRE_XLA=1 (make test), where a missing plugin is a failure.

var (
	xlaOnce    sync.Once
	xlaBackend compute.Backend
	xlaErr     error
	goOnce     sync.Once
	goBackend  compute.Backend
	goErr      error
)

func backends(t *testing.T) (goB, xlaB compute.Backend) {
	t.Helper()
	goOnce.Do(func() { goBackend, goErr = engine.Open("go") })
	if goErr != nil {
		t.Fatal(goErr)
	}
	path := engine.FindCPUPlugin()
	if path == "" {
		if os.Getenv("SSGAN_REQUIRE_XLA") != "" {
			t.Fatalf("XLA CPU plugin not found (.venv/pjrt/%s): run `make setup`", engine.CPUPluginName)
		}
		t.Skipf("XLA CPU plugin not installed (run `make setup`): XLA/pure-Go parity not checked")
	}
	xlaOnce.Do(func() { xlaBackend, xlaErr = engine.Open("xla:" + path) })
	if xlaErr != nil {
		t.Fatalf("XLA CPU plugin %s: %v", path, xlaErr)
	}
	return goBackend, xlaBackend
}

// parityGraph computes, without dropout and with batch statistics (nothing random), both players' losses
// on a fixed batch and returns [logits, features, generated images, dLoss, gLoss, dLoss gradients...,
// gLoss gradients...] for the trainable variables in path order.
func parityGraph(m *Model, paths []string) func(scope *model.Scope, inputs []*Node) []*Node {
	return func(scope *model.Scope, in []*Node) []*Node {
		x, z, labels, mask := in[0], in[1], in[2], in[3]
		cfg := m.Config.Model
		mode := BNMode{BatchStats: true}
		logits, features := Discriminator(scope, cfg, m.Pieces, x, mode)
		fake := Generator(scope, cfg, z, mode)
		fakeLogits, fakeFeatures := Discriminator(scope, cfg, m.Pieces, fake, mode)
		dLoss := m.Pieces.DiscriminatorLoss(logits, m.Pieces.GANLogit(logits, cfg.ExtraClass),
			m.Pieces.GANLogit(fakeLogits, cfg.ExtraClass), labels, mask)
		gLoss := m.Pieces.GeneratorLoss(features, fakeFeatures)
		var dVars, gVars []*Node
		for _, p := range paths {
			node := m.Store.GetVariable(p).NodeValue(x.Graph())
			if strings.HasPrefix(p, "/"+DiscriminatorScope+"/") {
				dVars = append(dVars, node)
			} else {
				gVars = append(gVars, node)
			}
		}
		out := []*Node{logits, features, fake, dLoss, gLoss}
		out = append(out, Gradient(dLoss, dVars...)...)
		return append(out, Gradient(gLoss, gVars...)...)
	}
}

// TestXLAParityForwardAndGradients: the same weights and inputs give the same outputs, losses and
// gradients on both backends, for each generator. Tolerance: float32 with different convolution
// algorithms and summation orders, so each value within 1e-3 of the largest magnitude in its tensor.
func TestXLAParityForwardAndGradients(t *testing.T) {
	goB, xlaB := backends(t)
	for _, up := range Upsamplers {
		t.Run(up, func(t *testing.T) {
			cfg := tinyConfig()
			cfg.Model.DSize, cfg.Model.GSize, cfg.Model.Upsample = 8, 4, up
			cfg.Model.Drop, cfg.Model.InputDrop = 0, 0
			var results [2][]*tensors.Tensor
			var ck string
			for i, b := range []compute.Backend{goB, xlaB} {
				m, err := NewModel(b, cfg, ReferencePieces())
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 { // Initialise and train one step on pure Go, then carry the weights to XLA.
					_, batches := trainBatches(cfg)
					if _, err := m.courseStep(batches[0]); err != nil {
						t.Fatal(err)
					}
					ck = t.TempDir()
					if err := m.SaveCheckpoint(ck, 1); err != nil {
						t.Fatal(err)
					}
				} else {
					c, err := OpenCheckpoint(ck)
					if err != nil {
						t.Fatal(err)
					}
					if err := c.restore(m); err != nil {
						t.Fatal(err)
					}
				}
				var paths []string
				for v := range m.Store.IterVariables() {
					if v.Trainable {
						paths = append(paths, v.Path())
					}
				}
				slices.SortFunc(paths, cmp.Compare)
				e, err := model.NewExec(b, m.Store, parityGraph(m, paths))
				if err != nil {
					t.Fatal(err)
				}
				_, batches := trainBatches(cfg)
				bt := batches[0]
				z := normalNoise(bt.Size, cfg.Model.ZDim, 3)
				out, err := e.Call(tensors.FromFlatDataAndDimensions(bt.Pixels, bt.Size, data.ImageSize, data.ImageSize, data.ImageChannels),
					tensors.FromFlatDataAndDimensions(z, bt.Size, cfg.Model.ZDim),
					tensors.FromFlatDataAndDimensions(bt.Labels, bt.Size), tensors.FromFlatDataAndDimensions(bt.Mask, bt.Size))
				if err != nil {
					t.Fatal(err)
				}
				results[i] = out
			}
			names := []string{"logits", "features", "generated images", "discriminator loss", "generator loss"}
			for k := range results[0] {
				name := "gradient"
				if k < len(names) {
					name = names[k]
				}
				want := tensors.MustCopyFlatData[float32](results[0][k])
				got := tensors.MustCopyFlatData[float32](results[1][k])
				scale := 0.0
				for _, v := range want {
					scale = max(scale, math.Abs(float64(v)))
				}
				for j := range want {
					if d := math.Abs(float64(got[j] - want[j])); !(d <= 1e-3*scale+1e-6) {
						t.Fatalf("%s (output %d), value %d: XLA %g, pure Go %g (largest magnitude %g)", name, k, j, got[j], want[j], scale)
					}
				}
			}
			t.Logf("%d tensors agree", len(results[0]))
		})
	}
}

// TestXLAParityTraining: the same short training run reaches the same test accuracy on both backends,
// within seed noise (two seeds each; random streams and rounding differ between backends).
func TestXLAParityTraining(t *testing.T) {
	if testing.Short() {
		t.Skip("trains four small models (~1 min): make test-full runs it")
	}
	goB, xlaB := backends(t)
	mean := func(b compute.Backend) float64 {
		var sum float64
		for _, seed := range []uint64{1, 2} {
			cfg := DefaultTrainConfig()
			cfg.Model.DSize, cfg.Model.GSize = 16, 8
			cfg.Model.Drop, cfg.Model.InputDrop = 0, 0
			cfg.BatchSize, cfg.Epochs, cfg.Seed, cfg.BNBatches = 64, 3, seed, 4
			cfg.Data.Labels, cfg.Data.MaxTest, cfg.Data.Seed = 500, 500, seed
			ds, err := data.NewDataset(data.SyntheticDigits(1280, seed), data.SyntheticDigits(500, 9), cfg.Data)
			if err != nil {
				t.Fatal(err)
			}
			m, err := NewModel(b, cfg, ReferencePieces())
			if err != nil {
				t.Fatal(err)
			}
			h, err := Train(context.Background(), m, ds, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s seed %d: test accuracy %.3f", engine.DescribeBackend(b), seed, h[len(h)-1].TestAcc)
			sum += h[len(h)-1].TestAcc
		}
		return sum / 2
	}
	goAcc, xlaAcc := mean(goB), mean(xlaB)
	if math.Abs(goAcc-xlaAcc) > 0.1 {
		t.Errorf("mean test accuracy: pure Go %.3f, XLA %.3f: more than 10 points apart", goAcc, xlaAcc)
	}
}

// Dropout on XLA drops as it does on pure Go (the statistics of TestDropoutMasks), and the hash behind it
// gives both backends exactly the same bits for the same key. (The keys themselves come from each
// backend's own random-bit generator, and those differ.)
func TestXLAParityDropout(t *testing.T) {
	goB, xlaB := backends(t)
	checkDropoutMasks(t, xlaB)
	bits := func(b compute.Backend) []uint32 {
		e, err := NewExec(b, func(key *Node) *Node { return hashBits(key, 4, 100) })
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.Call(uint32(12345))
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[uint32](out[0])
	}
	a, x := bits(goB), bits(xlaB)
	for i := range a {
		if a[i] != x[i] {
			t.Fatalf("value %d: pure Go %#x, XLA %#x", i, a[i], x[i])
		}
	}
}
