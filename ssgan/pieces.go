package ssgan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// Pieces are the parts of the model the lesson asks learners to write (its seven exercises). Training takes
// them as values, so the notebook's cells, the exercises/ package and the reference code all plug into the
// same loop. The reference versions (pieces_gen.go) are generated from solutions/pieces.go.
type Pieces struct {
	GlobalAveragePool func(x *Node) *Node
	ClassLogits       func(scope *model.Scope, features *Node, numClasses int, extraClass bool) *Node
	GANLogit          func(classLogits *Node, extraClass bool) *Node
	DiscriminatorLoss func(realLogits, realGAN, fakeGAN, labels, mask *Node) *Node
	GeneratorLoss     func(realFeatures, fakeFeatures *Node) *Node
	SplitVariables    func(store *model.Store) (d, g []*model.Variable, err error)
	Optimize          func(store *model.Store, cfg TrainConfig, dLoss, gLoss *Node, dVars, gVars []*model.Variable)

	// The given code that the lesson shows as cells a learner may edit: the networks and the wiring of the
	// losses. nil means the package's own Generator, Discriminator and StepLosses (NewModel fills them
	// in with WithDefaults).
	Generator     func(scope *model.Scope, cfg ModelConfig, z *Node, mode BNMode) *Node
	Discriminator func(scope *model.Scope, cfg ModelConfig, p Pieces, x *Node, mode BNMode) (logits, features *Node)
	StepLosses    func(scope *model.Scope, cfg TrainConfig, p Pieces, x, labels, mask *Node, train BNMode) (dLoss, gLoss, realLogits *Node)
}

// WithDefaults returns p with the package's Generator, Discriminator and StepLosses wherever p has none.
func (p Pieces) WithDefaults() Pieces {
	if p.Generator == nil {
		p.Generator = Generator
	}
	if p.Discriminator == nil {
		p.Discriminator = Discriminator
	}
	if p.StepLosses == nil {
		p.StepLosses = StepLosses
	}
	return p
}

// ReferencePieces returns the reference implementations.
func ReferencePieces() Pieces {
	return Pieces{
		GlobalAveragePool: GlobalAveragePool,
		ClassLogits:       ClassLogits,
		GANLogit:          GANLogit,
		DiscriminatorLoss: DiscriminatorLoss,
		GeneratorLoss:     GeneratorLoss,
		SplitVariables:    SplitVariables,
		Optimize:          Optimize,
	}
}

// InitStddev is the default of ModelConfig.InitStddev: 0, GoMLX's He initialisation (the course kept
// TensorFlow's Glorot default, up to ~4.7x smaller on some layers). DCGAN's N(0, 0.02) is available, but we measured it
// stalling the classifier: on 8,000 real SVHN images, d=16, no dropout, 15 epochs, test accuracy stayed
// at 13% with N(0, 0.02) while He initialisation reached 22% (features of real and generated images
// drifted far apart: feature-matching loss ~1.1 vs ~0.2).
const InitStddev = 0.0

// NotImplementedError is what an unfinished exercise stub panics with: it says which exercise and where to
// write it, and the lesson's checks and the training loop pass it on as it is.
type NotImplementedError struct {
	Exercise int
	Name     string // The function to write.
	Where    string // The file or notebook cell that holds it.
}

func (e *NotImplementedError) Error() string {
	return fmt.Sprintf("exercise %d (%s) not implemented yet — edit %s", e.Exercise, e.Name, e.Where)
}

// NotImplemented returns the error an exercise stub panics with.
func NotImplemented(exercise int, name, where string) error {
	return &NotImplementedError{Exercise: exercise, Name: name, Where: where}
}

// UnwrapNotImplemented returns the exercise stub's error when err carries one, even through GoMLX's
// wrapping of panics raised while building a graph (which keeps only the text), and err otherwise. So a
// learner sees "exercise 3 (GANLogit) not implemented yet — edit ..." rather than a compiler trace.
func UnwrapNotImplemented(err error) error {
	if err == nil {
		return nil
	}
	var ni *NotImplementedError
	if errors.As(err, &ni) {
		return ni
	}
	msg := err.Error()
	i := strings.Index(msg, " not implemented yet — edit ")
	if i < 0 {
		return err
	}
	start := strings.LastIndex(msg[:i], "exercise ")
	if start < 0 {
		return err
	}
	end := strings.IndexByte(msg[i:], '\n')
	if end < 0 {
		end = len(msg) - i
	}
	return errors.New(msg[start : i+end])
}

// NumClasses is the number of digit classes, 0..9 (data.NumClasses), named here for the lesson's code.
// A model trained on a folder of images has its own count (ModelConfig.NumClasses).
const NumClasses = data.NumClasses

// NumLogits is the size of the discriminator's class layer: one logit per class, plus a free "fake" logit
// with extraClass (SVHN: 10 or 11).
func NumLogits(numClasses int, extraClass bool) int {
	if extraClass {
		return numClasses + 1
	}
	return numClasses
}

// SigmoidCrossEntropy returns, per example, -[z log σ(x) + (1-z) log(1-σ(x))] for logits x [N] and a
// constant target z, written as max(x,0) - x z + log(1 + exp(-|x|)) so that it is finite for any finite x.
func SigmoidCrossEntropy(logits *Node, target float64) *Node {
	return Add(Sub(Max(logits, ZerosLike(logits)), MulScalar(logits, target)), Log1p(Exp(Neg(Abs(logits)))))
}

// SoftmaxCrossEntropy returns, per example, -log softmax(logits)[label] for logits [N,K] and labels [N]
// int32, computed as logsumexp(logits) - logits[label] with the row maximum subtracted first (stable).
func SoftmaxCrossEntropy(logits, labels *Node) *Node {
	k := logits.Shape().Dimensions[1]
	m := StopGradient(ReduceMax(logits, -1))
	lse := Add(m, Log(ReduceSum(Exp(Sub(logits, ExpandAxes(m, -1))), -1)))
	return Sub(lse, ReduceSum(Mul(logits, OneHot(labels, k, logits.DType())), -1))
}

// MaskedMean is sum(mask * x) / max(1, sum(mask)): the mean over the masked-in examples, 0 when none is.
func MaskedMean(x, mask *Node) *Node {
	n := ReduceAllSum(mask)
	return Div(ReduceAllSum(Mul(x, mask)), Max(n, OnesLike(n)))
}

// Predictions returns the predicted class [N] int32 from class logits [N,K]: the best of the first
// numClasses, so that a "fake" logit after them is ignored.
func Predictions(classLogits *Node, numClasses int) *Node {
	classes := Slice(classLogits, AxisRange(), AxisRange(0, numClasses))
	return ConvertDType(ArgMax(classes, -1), dtypes.Int32)
}

// CheckVariableSplit asks the pieces' SplitVariables for each player's variables and verifies the answer:
// every trainable variable belongs to exactly one player, and to the one whose optimizer updates it
// (each Adam updates the variables under its player's scope).
func (m *Model) CheckVariableSplit() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicToError(r, "variable split: ")
		}
	}()
	d, g, err := m.Pieces.SplitVariables(m.Store)
	if err != nil {
		return fmt.Errorf("variable split: %w", err)
	}
	return VerifySplit(m.Store, d, g)
}

// VerifySplit checks a split of the store's trainable variables into the discriminator's d and the
// generator's g, and says what is wrong in the learner's terms.
func VerifySplit(store *model.Store, d, g []*model.Variable) error {
	owners := make(map[*model.Variable]int)
	var problems []string
	for _, list := range []struct {
		player, other string
		vars          []*model.Variable
	}{{"discriminator", "generator", d}, {"generator", "discriminator", g}} {
		for _, v := range list.vars {
			owners[v]++
			switch {
			case !v.Trainable:
				problems = append(problems, fmt.Sprintf("%s is in the %s's list but is not trainable (a batch-norm statistic "+
					"or a counter, which no optimizer updates): keep only v.Trainable variables", v.Path(), list.player))
			case strings.HasPrefix(v.Path(), "/"+list.player+"/"):
			case strings.HasPrefix(v.Path(), "/"+list.other+"/"):
				problems = append(problems, fmt.Sprintf("a %s variable (%s) is in the %s's list: "+
					"the %s's optimizer would update it", list.other, v.Path(), list.player, list.player))
			default:
				problems = append(problems, fmt.Sprintf("%s is in the %s's list but is not under /%s/",
					v.Path(), list.player, list.player))
			}
		}
		if len(list.vars) == 0 {
			problems = append(problems, "the "+list.player+"'s list is empty")
		}
	}
	for v := range store.IterVariables() {
		if !v.Trainable {
			continue
		}
		switch owners[v] {
		case 0:
			problems = append(problems, v.Path()+" belongs to no player and would never be trained")
		case 1:
		default:
			problems = append(problems, v.Path()+" belongs to both players")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("variable split: %s", firstFew(problems, 4))
	}
	return nil
}

// firstFew joins the first n problems and counts the rest, so that a message stays readable when a
// mistake affects every variable.
func firstFew(problems []string, n int) string {
	if len(problems) <= n {
		return strings.Join(problems, "; ")
	}
	return fmt.Sprintf("%s; … and %d more", strings.Join(problems[:n], "; "), len(problems)-n)
}
