package solutions

import (
	"fmt"
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
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
// One real-vs-fake logit per image, shape [N], from the image's class logits [N, K]: the logit
// log(p / (1 - p)) of p, the probability that the softmax over all K logits gives to the real classes
// together. With extraClass the last column is the fake class's logit and the others are the real
// classes'; without it every column is a real class and the fake logit is fixed at 0. Read K from the
// shape (classLogits.Shape().Dimensions[1]): SVHN has 10 classes, a folder of images may have 3.
// What must hold: the value is exact and finite, and so is its gradient, for logits anywhere from -1e4 to
// 1e4, in every row of the batch independently of the others.
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
// Return a scalar (shape []), the sum of:
//   - supervised: the softmax cross entropy of realLogits against labels (ssgan.SoftmaxCrossEntropy),
//     averaged over the labelled images only (the mask says which);
//   - unsupervised: the mean sigmoid cross entropy (ssgan.SigmoidCrossEntropy) of realGAN against 1
//     ("real") and of fakeGAN against 0 ("fake").
//
// Batches with no labelled image at all happen (about one in six at the course's setting). What must hold
// then: the loss and its gradient are both finite, and the supervised part adds nothing.
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

// Optimize is exercise 7: the players' optimizers.
//
// Each player gets its own Adam, which minimises that player's loss over that player's variables only, as
// the course's tf.train.AdamOptimizer(learning_rate, beta1=beta1).minimize(d_loss, var_list=d_vars) and
// its twin for the generator. Build, inside the training step's graph:
//   - two Adams (optimizer.Adam()...Done()), each with the learning rate cfg.LearningRate, β1 cfg.Beta1
//     (the course's 0.5) and β2 0.999, the ε of TensorFlow's Adam (1e-8; GoMLX's default is 1e-7), and a
//     Scope of its own ("adam_discriminator", "adam_generator"): the Scope holds its moments and step count;
//   - each one applied to its own loss and its own list from exercise 6: ssgan.Minimize(store, vars, opt,
//     loss) is GoMLX's form of minimize(loss, var_list=vars).
func Optimize(store *model.Store, cfg ssgan.TrainConfig, dLoss, gLoss *Node, dVars, gVars []*model.Variable) {
	// BEGIN SOLUTION
	adam := func(player string) optimizer.Interface {
		return optimizer.Adam().LearningRate(cfg.LearningRate).Betas(cfg.Beta1, 0.999).Epsilon(1e-8).Scope("adam_" + player).Done()
	}
	ssgan.Minimize(store, dVars, adam(ssgan.DiscriminatorScope), dLoss)
	ssgan.Minimize(store, gVars, adam(ssgan.GeneratorScope), gLoss)
	// END SOLUTION
}
