package ssgan

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// The reference's parameter counts (train_svhn_feature_matching.py, Lasagne's trainable parameters), at
// its widths (d 64, g 128), worked out from its layers:
//   - discriminator: convolutions 3x3x3x64, 3x3x64x64 twice, 3x3x64x128, 3x3x128x128 three times, each
//     with a bias; two NIN layers 128x128 with biases; the dense layer 128x10 with bias and its trained
//     scale g (the hidden layers' g is not trained): 626,580 trainable, 960 untrained scales.
//   - generator: dense 100x8192 (no bias: batch norm follows) and its batch norm's bias 8192; transposed
//     convolutions 512x256x5x5 and 256x128x5x5 with batch-norm biases 256 and 128; the output transposed
//     convolution 128x3x5x5 with bias and trained scale: 4,933,382.
const paperDiscParams, paperDiscUntrained, paperGenParams = 626580, 960, 4933382

func TestPaperNetworksAreTheReferences(t *testing.T) {
	cfg := DefaultConfig("", "", ArchPaper)
	if cfg.Recipe != RecipeImproved || cfg.Epochs != 900 || cfg.LRRampDown != 300 || cfg.AdamEpsilon != AdamEpsilonInside {
		t.Fatalf("-model paper's defaults: recipe %s, %d epochs, ramp-down %d, Adam ε %q; want the SVHN script's", cfg.Recipe, cfg.Epochs, cfg.LRRampDown, cfg.AdamEpsilon)
	}
	store := model.NewStore()
	e, err := model.NewExec(backend(t), store, func(scope *model.Scope, x, z *Node) []*Node {
		logits, features := PaperDiscriminator(scope, cfg.Model, Pieces{}, x, BNMode{Dropout: true})
		return []*Node{logits, features, PaperGenerator(scope, cfg.Model, z, BNMode{})}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call(tensors.FromShape(shapes.Make(dtypes.Float32, 2, 32, 32, 3)), tensors.FromShape(shapes.Make(dtypes.Float32, 2, 100)))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]int{{2, 10}, {2, 128}, {2, 32, 32, 3}} {
		if got := out[i].Shape().Dimensions; !slices.Equal(got, want) {
			t.Errorf("output %d: shape %v, want %v", i, got, want)
		}
	}
	count := map[string]int{}
	for v := range store.IterVariables() {
		key, _, _ := strings.Cut(v.Path()[1:], "/") // The player: discriminator or generator.
		if !v.Trainable {
			key += " untrained"
		}
		count[key] += v.Shape().Size()
	}
	if count["discriminator"] != paperDiscParams || count["discriminator untrained"] != paperDiscUntrained || count["generator"] != paperGenParams {
		t.Errorf("parameters %v; want discriminator %d (+%d untrained scales), generator %d, as the reference",
			count, paperDiscParams, paperDiscUntrained, paperGenParams)
	}
}

// The data-dependent start: on the batch it was given, the first layer's outputs (before the activation)
// have mean 0 and standard deviation 1 per channel, and the logits standard deviation 0.1.
func TestPaperDataDependentStart(t *testing.T) {
	cfg := DefaultConfig("", "", ArchPaper)
	cfg.Model.DSize, cfg.Model.GSize = 8, 8
	x := tensors.FromFlatDataAndDimensions(randSlice(16*32*32*3, 5), 16, 32, 32, 3)
	store := model.NewStore()
	e, err := model.NewExec(backend(t), store, func(scope *model.Scope, x *Node) []*Node {
		logits, _ := PaperDiscriminator(scope, cfg.Model, Pieces{}, x, BNMode{Init: true})
		s := scope.At(DiscriminatorScope).At("conv1")
		pre := wnScale(s, Div(Conv2D(x, s.GetVariable("v").NodeValue(x.Graph()), 1, true), asLastAxis(unitNorms(s.GetVariable("v").NodeValue(x.Graph())), 4)), false, 1, false)
		return []*Node{logits, pre}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call(x)
	if err != nil {
		t.Fatal(err)
	}
	logits, pre := flat32(out[0]), flat32(out[1])
	for c := 0; c < 8; c++ {
		var sum, sq float64
		n := 0
		for i := c; i < len(pre); i += 8 {
			sum += float64(pre[i])
			sq += float64(pre[i]) * float64(pre[i])
			n++
		}
		mean := sum / float64(n)
		if sd := math.Sqrt(sq/float64(n) - mean*mean); math.Abs(mean) > 1e-3 || math.Abs(sd-1) > 1e-2 {
			t.Errorf("conv1 channel %d after the start: mean %.4f, sd %.4f; want 0 and 1", c, mean, sd)
		}
	}
	var sq float64
	for _, v := range logits {
		sq += float64(v) * float64(v)
	}
	if sd := math.Sqrt(sq / float64(len(logits))); math.Abs(sd-0.1) > 0.02 {
		t.Errorf("logits' sd after the start %.4f, want 0.1", sd)
	}
}

// -model paper trains with the improved recipe (the SVHN script's procedure): finite losses, both players.
func TestPaperNetworksTrain(t *testing.T) {
	cfg := DefaultConfig("", "", ArchPaper)
	cfg.Model.DSize, cfg.Model.GSize, cfg.BatchSize, cfg.Epochs, cfg.LRRampDown, cfg.BNBatches = 4, 4, 16, 1, 1, 1
	cfg.Data.Labels, cfg.Data.ValidFraction, cfg.Data.MaxTest = 20, 0, 32
	ds, err := data.NewDataset(data.SyntheticDigits(48, 1), data.SyntheticDigits(32, 2), cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	m := newTiny(t, cfg)
	history, err := Train(context.Background(), m, ds, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 1 || NotFinite(history[0].DLoss) || NotFinite(history[0].GLoss) || history[0].GLoss == 0 {
		t.Fatalf("history %+v", history)
	}
}
