package ssgan

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

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
