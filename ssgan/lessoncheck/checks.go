package lessoncheck

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// GlobalAveragePool checks exercise 1 on a [2,3,3,4] feature map.
func GlobalAveragePool(fn func(x *Node) *Node) error {
	const n, h, w, c = 2, 3, 3, 4
	x := randValues(n*h*w*c, 1, 1)
	got, err := eval("exercise 1 (GlobalAveragePool)", "x is [N, H, W, C]: average over the spatial axes 1 and 2 to get [N, C]",
		func(in []*Node) *Node { return fn(in[0]) }, tensors.FromFlatDataAndDimensions(x, n, h, w, c))
	if err != nil {
		return err
	}
	if len(got) != n*c {
		return shapeError("GlobalAveragePool of [2,3,3,4]", len(got), n*c)
	}
	for b := 0; b < n; b++ {
		for ch := 0; ch < c; ch++ {
			var mean float64
			for p := 0; p < h*w; p++ {
				mean += float64(x[(b*h*w+p)*c+ch]) / (h * w)
			}
			if !near(got[b*c+ch], mean, 1e-5) {
				return fmt.Errorf("GlobalAveragePool: image %d channel %d is %g, want the spatial mean %g", b, ch, got[b*c+ch], mean)
			}
		}
	}
	return compareWithReference(exercise1, poolFn(fn), poolFn(ssgan.GlobalAveragePool), poolCases())
}

// ClassLogits checks exercise 2: K or K+1 logits from a dense layer whose variables live under the scope,
// for SVHN's 10 classes and for 3 (a folder of images).
func ClassLogits(fn func(scope *model.Scope, features *Node, numClasses int, extraClass bool) *Node) error {
	return withBackend(func(b compute.Backend) error { return classLogits(b, fn) })
}

// checkedClassCounts are the class counts the checks of exercises 2 and 3 try: SVHN's, and a folder's.
var checkedClassCounts = []int{data.NumClasses, 3}

func classLogits(b compute.Backend, fn func(scope *model.Scope, features *Node, numClasses int, extraClass bool) *Node) error {
	for _, tc := range classCases() {
		extra, k := tc.extra, tc.classes
		store := model.NewStore()
		// The logits, and the gradient that reaches the features (and through them the convolutions).
		e, err := model.NewExec(b, store, func(scope *model.Scope, f *Node) []*Node {
			logits := fn(scope.In("discriminator"), f, k, extra)
			if logits.DType() != dtypes.Float32 {
				return []*Node{logits, ZerosLike(f)}
			}
			w := Const(f.Graph(), tensors.FromFlatDataAndDimensions(randValues(logits.Shape().Size(), 78, 1), logits.Shape().Dimensions...))
			return []*Node{logits, Gradient(ReduceAllSum(Mul(logits, w)), f)[0]}
		})
		if err != nil {
			return err
		}
		out, err := e.Call(tensors.FromFlatDataAndDimensions(randValues(3*8, 2, 1), 3, 8))
		if err != nil {
			if stub := unwrapStub(err); stub != err {
				return stub
			}
			return fmt.Errorf("exercise 2 (ClassLogits): building your graph failed on features of shape [3 8]: %s — "+
				"one dense layer (ssgan.Dense) from the features to ssgan.NumLogits(numClasses, extraClass) outputs gives [3, 10] or [3, 11] for 10 classes", firstLine(err))
		}
		want := ssgan.NumLogits(k, extra)
		if dims := out[0].Shape().Dimensions; len(dims) != 2 || dims[0] != 3 || dims[1] != want {
			return fmt.Errorf("ClassLogits with numClasses=%d, extraClass=%v: shape %v, want [3 %d]", k, extra, dims, want)
		}
		if dt := out[0].Shape().DType; dt != dtypes.Float32 {
			return fmt.Errorf("ClassLogits returns %s logits; want float32, the dtype the network and its optimizer compute in", dt)
		}
		trainable, named := 0, 0
		for v := range store.IterVariables() {
			if v.Trainable {
				trainable++
				if strings.HasPrefix(v.Path(), "/discriminator/class_logits/") {
					named++
				}
			}
		}
		if trainable == 0 {
			return fmt.Errorf("ClassLogits created no trainable variables: use a dense layer (ssgan.Dense) under the scope")
		}
		if named != trainable {
			return fmt.Errorf("ClassLogits: its variables should live under the scope it is given, in a layer named \"class_logits\" "+
				"(the name is the layer's second argument); found %d of %d there", named, trainable)
		}
		// The same weights on other features must give other logits: the layer reads its input.
		other, err := e.Call(tensors.FromFlatDataAndDimensions(randValues(3*8, 9, 1), 3, 8))
		if err != nil {
			return err
		}
		if slices.Equal(tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](other[0])) {
			return fmt.Errorf("ClassLogits gives the same logits for different features: compute them from features")
		}
		if j := constantColumn(tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](other[0]), want); j >= 0 {
			return fmt.Errorf("ClassLogits with numClasses=%d, extraClass=%v: logit %d of %d stays the same whatever the features are, "+
				"so the discriminator cannot learn it — every logit, the extra one included, comes out of the dense layer", k, extra, j, want)
		}
		if allZero(tensors.MustCopyFlatData[float32](out[1])) {
			return fmt.Errorf("ClassLogits: the gradient with respect to the features is 0, so the convolutions below it would never learn — " +
				"compute the logits from the features themselves, with no StopGradient")
		}
		if err := checkAffine(e, k, extra); err != nil {
			return err
		}
	}
	return nil
}

// constantColumn returns the first column of two [N, cols] logit tables that is the same in both (the
// logits of two different feature batches), or -1.
func constantColumn(a, b []float32, cols int) int {
	for j := range cols {
		same := true
		for i := j; i < len(a); i += cols {
			same = same && a[i] == b[i]
		}
		if same {
			return j
		}
	}
	return -1
}

// checkAffine: logits are an affine function of the features (one dense layer, nothing after it), so for
// feature rows a, b, a+b and 0 the logits satisfy l(a) + l(b) = l(a+b) + l(0). A softmax, sigmoid or
// activation after the layer breaks that, and training would then read probabilities as logits.
func checkAffine(e *model.Exec, k int, extra bool) error {
	const f = 8
	a, b := randValues(f, 11, 1), randValues(f, 12, 1)
	rows := make([]float32, 4*f)
	for j := range f {
		rows[j], rows[f+j], rows[2*f+j] = a[j], b[j], a[j]+b[j]
	}
	res, err := e.Call(tensors.FromFlatDataAndDimensions(rows, 4, f))
	if err != nil {
		return err
	}
	l := tensors.MustCopyFlatData[float32](res[0])
	n := len(l) / 4
	inUnit := true
	for _, v := range l {
		inUnit = inUnit && v >= 0 && v <= 1
	}
	for j := range n {
		lhs, rhs := float64(l[j])+float64(l[n+j]), float64(l[2*n+j])+float64(l[3*n+j])
		// Room for float32 products done in lower precision (TF32 on recent GPUs); a softmax, sigmoid or
		// activation misses by orders of magnitude more.
		scale := math.Abs(float64(l[j])) + math.Abs(float64(l[n+j])) + math.Abs(float64(l[2*n+j])) + math.Abs(float64(l[3*n+j]))
		if math.Abs(lhs-rhs) <= 2e-3*(1+scale) {
			continue
		}
		if inUnit {
			return fmt.Errorf("ClassLogits with numClasses=%d, extraClass=%v returns values all between 0 and 1, as after a softmax or sigmoid: "+
				"return the dense layer's raw output (logits); the losses and exercise 3 apply the softmax themselves", k, extra)
		}
		return fmt.Errorf("ClassLogits with numClasses=%d, extraClass=%v is not one linear layer of the features (an activation after it?): "+
			"return the dense layer's raw output (logits), with nothing applied after it", k, extra)
	}
	return nil
}

// classCases are the (class count, extra class) pairs the checks of exercises 2 and 3 try.
func classCases() (cases []struct {
	classes int
	extra   bool
}) {
	for _, k := range checkedClassCounts {
		for _, extra := range []bool{false, true} {
			cases = append(cases, struct {
				classes int
				extra   bool
			}{k, extra})
		}
	}
	return cases
}

// refGANLogit is exercise 3 in float64 for one row of logits (the last one fake with extraClass).
func refGANLogit(row []float32, extraClass bool) float64 {
	classes := row
	fake := 0.0
	if extraClass {
		classes, fake = row[:len(row)-1], float64(row[len(row)-1])
	}
	m := math.Inf(-1)
	for _, v := range classes {
		m = math.Max(m, float64(v))
	}
	var s float64
	for _, v := range classes {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s) - fake
}

// GANLogit checks exercise 3: values against a float64 reference, and stability for logits of ±1e4.
func GANLogit(fn func(classLogits *Node, extraClass bool) *Node) error {
	run := func(logits []float32, classes int, extra bool) ([]float32, error) {
		k := ssgan.NumLogits(classes, extra)
		return eval("exercise 3 (GANLogit)", "classLogits is [N, K]: reduce over axis 1 (the classes), keeping one value per image",
			func(in []*Node) *Node { return fn(in[0], extra) },
			tensors.FromFlatDataAndDimensions(logits, len(logits)/k, k))
	}
	for _, tc := range classCases() {
		extra := tc.extra
		k := ssgan.NumLogits(tc.classes, extra)
		logits := randValues(16*k, 3, 8)
		got, err := run(logits, tc.classes, extra)
		if err != nil {
			return err
		}
		if len(got) != 16 {
			return shapeError(fmt.Sprintf("GANLogit of [16,%d] logits", k), len(got), 16)
		}
		for i := range got {
			if want := refGANLogit(logits[i*k:(i+1)*k], extra); !near(got[i], want, 1e-4) {
				hint := ""
				if extra {
					hint = fmt.Sprintf(" (with extraClass, subtract the last logit; the log-sum-exp is over the first %d only)", tc.classes)
				} else if tc.classes != data.NumClasses {
					hint = " (read the number of classes from the shape of classLogits, not from ssgan.NumClasses)"
				}
				return fmt.Errorf("GANLogit of [16,%d] logits with extraClass=%v: row %d is %g, want %g%s", k, extra, i, got[i], want, hint)
			}
		}
	}
	for _, tc := range []struct {
		name  string
		value float32
		extra bool
	}{{"1e4", 1e4, false}, {"-1e4", -1e4, false}, {"1e4", 1e4, true}} {
		k := ssgan.NumLogits(data.NumClasses, tc.extra)
		logits := make([]float32, k)
		logits[0] = tc.value
		if tc.value < 0 {
			for i := range logits {
				logits[i] = tc.value
			}
		}
		got, err := run(logits, data.NumClasses, tc.extra)
		if err != nil {
			return err
		}
		want := refGANLogit(logits, tc.extra)
		if bad(got[0]) {
			return fmt.Errorf("GANLogit is not stable: a logit of %s gives %g (want %g) — subtract the row maximum before Exp and add it back after Log", tc.name, got[0], want)
		}
		if !near(got[0], want, 1e-5) {
			return fmt.Errorf("GANLogit with a logit of %s gives %g, want %g", tc.name, got[0], want)
		}
	}
	if err := ganLogitPerRow(run); err != nil {
		return err
	}
	for _, c := range ganLogitCases() {
		if err := compareWithReference(exercise3, ganLogitFn(fn, c.extra), ganLogitFn(ssgan.GANLogit, c.extra), []gradCase{c.gradCase}); err != nil {
			return err
		}
	}
	return nil
}

// ganLogitPerRow: two images whose logits differ by 1e4. A maximum taken over the whole batch instead of
// each row cancels in a one-row test, but here it underflows every exp of the smaller row to 0.
func ganLogitPerRow(run func(logits []float32, classes int, extra bool) ([]float32, error)) error {
	k := data.NumClasses
	logits := make([]float32, 2*k)
	for j := range k {
		logits[j] = 1e4 + float32(j)
		logits[k+j] = float32(j)
	}
	got, err := run(logits, k, false)
	if err != nil {
		return err
	}
	if len(got) != 2 {
		return shapeError("GANLogit of [2,10] logits", len(got), 2)
	}
	for i := range got {
		want := refGANLogit(logits[i*k:(i+1)*k], false)
		if !near(got[i], want, 1e-3) {
			return fmt.Errorf("GANLogit of two images whose logits differ by 1e4: image %d gives %g, want %g — "+
				"take the maximum of each row (one per image, over axis 1), not one maximum over the whole batch", i, got[i], want)
		}
	}
	return nil
}

// refDLoss is the discriminator loss in float64, written from its definition.
func refDLoss(logits []float32, k int, realGAN, fakeGAN []float32, labels []int32, mask []float32) float64 {
	softplus := func(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }
	var sup, n float64
	for i := range labels {
		m := math.Inf(-1)
		for j := 0; j < k; j++ {
			m = math.Max(m, float64(logits[i*k+j]))
		}
		var s float64
		for j := 0; j < k; j++ {
			s += math.Exp(float64(logits[i*k+j]) - m)
		}
		sup += float64(mask[i]) * (m + math.Log(s) - float64(logits[i*k+int(labels[i])]))
		n += float64(mask[i])
	}
	var realLoss, fakeLoss float64
	for _, v := range realGAN {
		realLoss += softplus(-float64(v)) // -log σ(x)
	}
	for _, v := range fakeGAN {
		fakeLoss += softplus(float64(v)) // -log(1 - σ(x))
	}
	return sup/math.Max(1, n) + realLoss/float64(len(realGAN)) + fakeLoss/float64(len(fakeGAN))
}

// DiscriminatorLoss checks exercise 4 against a float64 reference, on an all-unlabelled batch, with
// hidden labels changed, and with extreme GAN logits.
func DiscriminatorLoss(fn func(realLogits, realGAN, fakeGAN, labels, mask *Node) *Node) error {
	const n, k = 12, 11
	logits := randValues(n*k, 4, 3)
	realGAN, fakeGAN := randValues(n, 5, 3), randValues(n+4, 6, 3)
	labels := make([]int32, n)
	mask := make([]float32, n)
	for i := range labels {
		labels[i] = int32((i * 7) % 10)
		if i%3 == 0 {
			mask[i] = 1
		}
	}
	run := func(realGAN, fakeGAN []float32, labels []int32, mask []float32) (float32, error) {
		got, err := eval("exercise 4 (DiscriminatorLoss)", "realLogits is [N, K], realGAN [N], fakeGAN [M] with M != N, labels and mask [N]: "+
			"combine each batch with its own mask or labels, and average real and fake separately",
			func(in []*Node) *Node { return fn(in[0], in[1], in[2], in[3], in[4]) },
			tensors.FromFlatDataAndDimensions(logits, n, k), tensors.FromFlatDataAndDimensions(realGAN, n),
			tensors.FromFlatDataAndDimensions(fakeGAN, len(fakeGAN)), tensors.FromFlatDataAndDimensions(labels, n),
			tensors.FromFlatDataAndDimensions(mask, n))
		if err != nil {
			return 0, err
		}
		if len(got) != 1 {
			return 0, fmt.Errorf("DiscriminatorLoss: got %d values, want a scalar", len(got))
		}
		return got[0], nil
	}
	hidden := append([]int32{}, labels...)
	for i := range hidden {
		if mask[i] == 0 {
			hidden[i] = (hidden[i] + 5) % 10
		}
	}
	a, err := run(realGAN, fakeGAN, labels, mask)
	if err != nil {
		return err
	}
	b, err := run(realGAN, fakeGAN, hidden, mask)
	if err != nil {
		return err
	}
	if a != b {
		return fmt.Errorf("DiscriminatorLoss uses the labels of unlabelled images (loss %g became %g): multiply by the mask", a, b)
	}
	none := make([]float32, n)
	got, err := run(realGAN, fakeGAN, labels, none)
	if err != nil {
		return err
	}
	if bad(got) {
		return fmt.Errorf("DiscriminatorLoss: an all-unlabelled batch gives %g — divide by max(1, sum(mask))", got)
	}
	if want := refDLoss(logits, k, realGAN, fakeGAN, labels, none); !near(got, want, 1e-4) {
		return fmt.Errorf("DiscriminatorLoss: an all-unlabelled batch gives %g, want %g (the unsupervised part alone)", got, want)
	}
	got, err = run(realGAN, fakeGAN, labels, mask)
	if err != nil {
		return err
	}
	if want := refDLoss(logits, k, realGAN, fakeGAN, labels, mask); !near(got, want, 1e-4) {
		return fmt.Errorf("DiscriminatorLoss: got %g, want %g (supervised mean over labelled images + sigmoid CE of real->1 and fake->0)", got, want)
	}
	huge := make([]float32, n)
	for i := range huge {
		huge[i] = 1e4 * float32(1-2*(i%2))
	}
	got, err = run(huge, huge, labels, mask)
	if err != nil {
		return err
	}
	if bad(got) {
		return fmt.Errorf("DiscriminatorLoss is not stable: GAN logits of ±1e4 give %g — use ssgan.SigmoidCrossEntropy", got)
	}
	return compareWithReference(exercise4, dLossFn(fn), dLossFn(ssgan.DiscriminatorLoss), dLossCases())
}

// GeneratorLoss checks exercise 5 against a float64 reference, with different batch sizes for real and fake.
func GeneratorLoss(fn func(realFeatures, fakeFeatures *Node) *Node) error {
	const n, m, f = 8, 5, 6
	realF, fakeF := randValues(n*f, 7, 1), randValues(m*f, 8, 1)
	got, err := eval("exercise 5 (GeneratorLoss)", "the real and generated batches have different sizes ([N, F] and [M, F]): "+
		"average each over its own batch axis 0 first, then compare the two [F] means",
		func(in []*Node) *Node { return fn(in[0], in[1]) },
		tensors.FromFlatDataAndDimensions(realF, n, f), tensors.FromFlatDataAndDimensions(fakeF, m, f))
	if err != nil {
		return err
	}
	if len(got) != 1 {
		return fmt.Errorf("GeneratorLoss: got %d values, want a scalar", len(got))
	}
	var want float64
	for j := 0; j < f; j++ {
		var a, b float64
		for i := 0; i < n; i++ {
			a += float64(realF[i*f+j]) / n
		}
		for i := 0; i < m; i++ {
			b += float64(fakeF[i*f+j]) / m
		}
		want += math.Abs(a-b) / f
	}
	if !near(got[0], want, 1e-5) {
		return fmt.Errorf("GeneratorLoss: got %g, want %g (mean over features of |batch-mean real - batch-mean fake|)", got[0], want)
	}
	return compareWithReference(exercise5, gLossFn(fn), gLossFn(ssgan.GeneratorLoss), gLossCases())
}

// SplitVariables checks exercise 6 on the variables of a real (tiny) model, then with a stray variable
// that belongs to neither player.
func SplitVariables(fn func(store *model.Store) (d, g []*model.Variable, err error)) error {
	return withBackend(func(b compute.Backend) error { return splitVariables(b, fn) })
}

// tinyModel is a course-recipe model of the smallest widths after one training step, so that every
// variable exists: with the GAN, or (supervisedOnly) without a generator.
func tinyModel(b compute.Backend, supervisedOnly bool) (*ssgan.Model, error) {
	cfg := ssgan.DefaultTrainConfig()
	cfg.Model.DSize, cfg.Model.GSize, cfg.Model.ZDim, cfg.BatchSize, cfg.SupervisedOnly = 2, 1, 4, 4, supervisedOnly
	m, err := ssgan.NewModel(b, cfg, ssgan.ReferencePieces())
	if err != nil {
		return nil, err
	}
	course, err := m.Course()
	if err != nil {
		return nil, err
	}
	for batch := range data.Batches(data.SyntheticDigits(4, 1), 4, nil, []bool{true, false, true, false}) {
		if _, err := course.Step(batch); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func splitVariables(b compute.Backend, fn func(store *model.Store) (d, g []*model.Variable, err error)) error {
	m, err := tinyModel(b, false)
	if err != nil {
		return err
	}
	d, g, err := callSplit(fn, m.Store)
	if err != nil {
		return fmt.Errorf("SplitVariables reported an error on a correct model: %w", err)
	}
	if err := ssgan.VerifySplit(m.Store, d, g); err != nil {
		return err
	}
	m.Store.VariableWithValue("/stray/weights", tensors.FromShape(shapes.Make(dtypes.Float32, 2)))
	if _, _, err := callSplit(fn, m.Store); err == nil {
		return fmt.Errorf("SplitVariables accepted a trainable variable (/stray/weights) that belongs to no player: return an error for it")
	}
	return splitWithoutGenerator(b, fn)
}

// splitWithoutGenerator: a model with no generator variables (labels alone) must get an error, not an
// empty generator list that would leave the generator's optimizer with nothing to train.
func splitWithoutGenerator(b compute.Backend, fn func(store *model.Store) (d, g []*model.Variable, err error)) error {
	m, err := tinyModel(b, true)
	if err != nil {
		return err
	}
	d, g, err := callSplit(fn, m.Store)
	if err == nil {
		return fmt.Errorf("SplitVariables returned %d discriminator and %d generator variables, and no error, for a model "+
			"without a generator: return an error when either list is empty (that player's optimizer would train nothing)", len(d), len(g))
	}
	return nil
}

// callSplit calls the learner's SplitVariables, turning a panic (an index out of range, say) into an
// error that names the exercise; a stub's "not implemented yet" goes on as it is.
func callSplit(fn func(store *model.Store) (d, g []*model.Variable, err error), store *model.Store) (d, g []*model.Variable, err error) {
	defer func() {
		if r := recover(); r != nil {
			var stub *ssgan.NotImplementedError
			if e, ok := r.(error); ok && errors.As(e, &stub) {
				panic(r) // The stub's own message, as withBackend reports it.
			}
			err = fmt.Errorf("exercise 6 (SplitVariables): your function panicked: %v", r)
		}
	}()
	return fn(store)
}
