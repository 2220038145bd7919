package ssgan

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
)

// GlobalAveragePool averages an NHWC feature map over its spatial axes: [N,H,W,C] -> [N,C].
// These per-image averages are the discriminator's "features", the ones feature matching compares.
func GlobalAveragePool(x *Node) *Node { return ReduceMean(x, 1, 2) }

// NumLogits is the size of the discriminator's class layer: 10 digits, plus a free "fake" logit with extraClass.
func NumLogits(extraClass bool) int {
	if extraClass {
		return NumClasses + 1
	}
	return NumClasses
}

// logSumExp computes log(sum(exp(x))) over the last axis of x [N,K] -> [N], stably: it subtracts the
// row maximum m before exponentiating (so the largest term is exp(0) = 1 and nothing overflows) and adds
// m back. m is held constant for the gradient; the result's gradient is the same either way.
func logSumExp(x *Node) *Node {
	m := StopGradient(ReduceMax(x, -1))
	return Add(m, Log(ReduceSum(Exp(Sub(x, ExpandAxes(m, -1))), -1)))
}

// GANLogit turns class logits [N,K] into one "real vs fake" logit per image [N].
//
// With K+1 classes where the last is "fake", p(real) = sum_k exp(l_k) / (sum_k exp(l_k) + exp(l_fake)),
// so its logit is logsumexp(real-class logits) - l_fake. Without the extra class the fake logit is fixed at 0
// (the model is no less expressive: softmax is unchanged by subtracting l_fake from every logit).
func GANLogit(classLogits *Node, extraClass bool) *Node {
	if !extraClass {
		return logSumExp(classLogits)
	}
	real := Slice(classLogits, AxisRange(), AxisRange(0, NumClasses))
	fake := Squeeze(Slice(classLogits, AxisRange(), AxisRange(NumClasses, NumClasses+1)), -1)
	return Sub(logSumExp(real), fake)
}

// sigmoidCrossEntropy is the mean over the batch of -[z log σ(x) + (1-z) log(1-σ(x))] for logits x [N] and
// a constant target z, written as max(x,0) - x z + log(1 + exp(-|x|)): finite for any finite x.
func sigmoidCrossEntropy(logits *Node, target float64) *Node {
	return ReduceAllMean(Add(Sub(Max(logits, ZerosLike(logits)), MulScalar(logits, target)),
		Log1p(Exp(Neg(Abs(logits))))))
}

// maskedSoftmaxCrossEntropy is sum_i mask_i * CE(logits_i, label_i) / max(1, sum_i mask_i) over the digit
// classes: the mean cross entropy over the labelled images of the batch, and 0 (not NaN) for a batch
// without any label. logits [N,K], labels [N] int32 in 0..9, mask [N] float 0/1.
func maskedSoftmaxCrossEntropy(logits, labels, mask *Node) *Node {
	k := logits.Shape().Dimensions[1]
	oneHot := OneHot(labels, k, logits.DType())
	ce := Sub(logSumExp(logits), ReduceSum(Mul(logits, oneHot), -1))
	return Div(ReduceAllSum(Mul(ce, mask)), Max(ReduceAllSum(mask), OnesLike(ReduceAllSum(mask))))
}

// DiscriminatorLoss is the course's discriminator loss:
//
//	supervised: masked softmax cross entropy of the class logits of real images, over labelled images only;
//	unsupervised: sigmoid cross entropy pushing the GAN logit of real images to "real" (1) and of
//	generated images to "fake" (0).
//
// realLogits [N,K]; realGAN, fakeGAN [N] and [M]; labels [N] int32; mask [N] float.
func DiscriminatorLoss(realLogits, realGAN, fakeGAN, labels, mask *Node) *Node {
	supervised := maskedSoftmaxCrossEntropy(realLogits, labels, mask)
	return Add(supervised, Add(sigmoidCrossEntropy(realGAN, 1), sigmoidCrossEntropy(fakeGAN, 0)))
}

// GeneratorLoss is feature matching: the mean absolute difference between the batch-mean features of
// real images and of generated images, realFeatures [N,F] and fakeFeatures [M,F]. The generator is asked
// to produce images whose statistics, as the discriminator sees them, match real data's: a steadier
// target than fooling the discriminator outright, and the trick that makes the classifier good.
func GeneratorLoss(realFeatures, fakeFeatures *Node) *Node {
	return ReduceAllMean(Abs(Sub(ReduceMean(realFeatures, 0), ReduceMean(fakeFeatures, 0))))
}

// Predictions returns the predicted digit [N] int32 from class logits [N,K], ignoring a "fake" class.
func Predictions(classLogits *Node) *Node {
	digits := Slice(classLogits, AxisRange(), AxisRange(0, NumClasses))
	return ConvertDType(ArgMax(digits, -1), dtypes.Int32)
}
