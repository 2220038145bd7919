package solutions

import (
	"fmt"
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/ssgan-go/ssgan-go/ssgan"
)

// GlobalAveragePool is exercise 1.
//
// The discriminator's last convolution gives a feature map x of shape [N, H, W, C]. Average it over the
// spatial axes H and W to get one C-vector per image, shape [N, C]: the "features" that the classifier reads
// and that feature matching compares between real and generated images.
func GlobalAveragePool(x *Node) *Node {
	// BEGIN SOLUTION
	return ReduceMean(x, 1, 2)
	// END SOLUTION
}

// ClassLogits is exercise 2.
//
// Turn features [N, F] into class logits with one dense layer (ssgan.Dense, variables under scope, layer
// name "class_logits"): numClasses logits, one per class (SVHN: 10, one per digit), and one more when
// extraClass is set (the last one is "fake"). Shape [N, numClasses] or [N, numClasses+1].
func ClassLogits(scope *model.Scope, features *Node, numClasses int, extraClass bool) *Node {
	// BEGIN SOLUTION
	n := numClasses
	if extraClass {
		n++
	}
	return ssgan.Dense(scope, "class_logits", features, n)
	// END SOLUTION
}

// GANLogit is exercise 3.
//
// One "real vs fake" logit per image from its class logits [N, K], shape [N]:
// log(sum_k exp(real logit k)) - fake logit. With extraClass the last column is the fake logit and the
// others are the real (class) ones; without it every column is a class and the fake logit is 0. Read K
// from the shape (classLogits.Shape().Dimensions[1]): SVHN has 10 classes, a folder of images may have 3.
// The result must stay finite and exact for logits as large as 1e4 and as small as -1e4, in every row of
// the batch (the text above the cell derives how).
func GANLogit(classLogits *Node, extraClass bool) *Node {
	// BEGIN SOLUTION
	k := classLogits.Shape().Dimensions[1]
	if extraClass {
		k-- // The last column is the fake logit.
	}
	digits := Slice(classLogits, AxisRange(), AxisRange(0, k))
	// The result does not depend on m (it cancels), so neither does its gradient: StopGradient only
	// spares the graph the max's own gradient.
	m := StopGradient(ReduceMax(digits, -1))
	logSumExp := Add(m, Log(ReduceSum(Exp(Sub(digits, ExpandAxes(m, -1))), -1)))
	if !extraClass {
		return logSumExp
	}
	fake := Squeeze(Slice(classLogits, AxisRange(), AxisRange(k, k+1)), -1)
	return Sub(logSumExp, fake)
	// END SOLUTION
}

// DiscriminatorLoss is exercise 4.
//
// Inputs: realLogits [N, K] (class logits of real images), realGAN [N] and fakeGAN [M] (GAN logits of real
// and generated images), labels [N] int32 digits, mask [N] float32 (1 where the label may be used).
// Return a scalar, the sum of:
//   - supervised: the softmax cross entropy of realLogits against labels (ssgan.SoftmaxCrossEntropy),
//     averaged over the labelled images only (the mask says which). Batches with no labelled image at all
//     happen; the loss must stay a finite number then;
//   - unsupervised: the mean sigmoid cross entropy (ssgan.SigmoidCrossEntropy) of realGAN against 1
//     ("real") and of fakeGAN against 0 ("fake").
func DiscriminatorLoss(realLogits, realGAN, fakeGAN, labels, mask *Node) *Node {
	// BEGIN SOLUTION
	ce := ssgan.SoftmaxCrossEntropy(realLogits, labels)
	labelled := ReduceAllSum(mask)
	supervised := Div(ReduceAllSum(Mul(ce, mask)), Max(labelled, OnesLike(labelled)))
	unsupervised := Add(ReduceAllMean(ssgan.SigmoidCrossEntropy(realGAN, 1)), ReduceAllMean(ssgan.SigmoidCrossEntropy(fakeGAN, 0)))
	return Add(supervised, unsupervised)
	// END SOLUTION
}

// GeneratorLoss is exercise 5: feature matching.
//
// realFeatures [N, F] and fakeFeatures [M, F] are the discriminator's features of real and generated
// images. Average each over the batch (axis 0) to get two F-vectors, and return the mean absolute
// difference between them, a scalar. The generator then learns to make images whose features look, on
// average, like real ones.
func GeneratorLoss(realFeatures, fakeFeatures *Node) *Node {
	// BEGIN SOLUTION
	return ReduceAllMean(Abs(Sub(ReduceMean(realFeatures, 0), ReduceMean(fakeFeatures, 0))))
	// END SOLUTION
}

// SplitVariables is exercise 6.
//
// Each player's optimizer must update only its own network, and the model gives each optimizer exactly
// the variables of your lists. Go over the trainable variables of the store
// (store.IterVariables(), v.Trainable, v.Path()) and put those under "/discriminator/" into d and those
// under "/generator/" into g (ssgan.DiscriminatorScope, ssgan.GeneratorScope). Then check the split, as
// the course's assert does: return an error naming every trainable variable that is in neither list, and
// an error if either list is empty.
func SplitVariables(store *model.Store) (d, g []*model.Variable, err error) {
	// BEGIN SOLUTION
	var orphans []string
	for v := range store.IterVariables() {
		if !v.Trainable {
			continue
		}
		switch {
		case strings.HasPrefix(v.Path(), "/"+ssgan.DiscriminatorScope+"/"):
			d = append(d, v)
		case strings.HasPrefix(v.Path(), "/"+ssgan.GeneratorScope+"/"):
			g = append(g, v)
		default:
			orphans = append(orphans, v.Path())
		}
	}
	if len(orphans) > 0 {
		return nil, nil, fmt.Errorf("trainable variables outside both players: %s", strings.Join(orphans, ", "))
	}
	if len(d) == 0 || len(g) == 0 {
		return nil, nil, fmt.Errorf("a player has no variables (discriminator %d, generator %d)", len(d), len(g))
	}
	return d, g, nil
	// END SOLUTION
}
