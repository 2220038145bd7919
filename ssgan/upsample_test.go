package ssgan

import (
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// scatterTaps enumerates the reference 5x5 stride-2 "same" transposed convolution by scatter-add:
// out[2i+a-1, 2j+b-1] += in[i,j] * w5[a,b], cropped to [2H, 2W]. fn gets the flat indices of the input
// value, the kernel weight and the output value of every term.
func scatterTaps(n, h, w, cin, cout int, fn func(in, wt, out int)) {
	for b := 0; b < n; b++ {
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				for a := 0; a < 5; a++ {
					for c := 0; c < 5; c++ {
						y, x := 2*i+a-1, 2*j+c-1
						if y < 0 || y >= 2*h || x < 0 || x >= 2*w {
							continue
						}
						for ci := 0; ci < cin; ci++ {
							for co := 0; co < cout; co++ {
								fn(((b*h+i)*w+j)*cin+ci, ((a*5+c)*cin+ci)*cout+co, ((b*2*h+y)*2*w+x)*cout+co)
							}
						}
					}
				}
			}
		}
	}
}

// scatterTransposedConv is the reference transposed convolution, accumulated in float64.
func scatterTransposedConv(in []float32, n, h, w, cin int, w5 []float32, cout int) []float32 {
	out := make([]float64, n*2*h*2*w*cout)
	scatterTaps(n, h, w, cin, cout, func(i, k, o int) { out[o] += float64(in[i]) * float64(w5[k]) })
	res := make([]float32, len(out))
	for i, v := range out {
		res[i] = float32(v)
	}
	return res
}

// scatterGradients returns dL/din and dL/dw5 of L = sum(out * r) for the scatter-add reference.
func scatterGradients(in []float32, n, h, w, cin int, w5 []float32, cout int, r []float32) (gIn, gW []float32) {
	gIn, gW = make([]float32, len(in)), make([]float32, len(w5))
	scatterTaps(n, h, w, cin, cout, func(i, k, o int) {
		gIn[i] += r[o] * w5[k]
		gW[k] += r[o] * in[i]
	})
	return gIn, gW
}

func TestDepthToSpaceEqualsTransposedConv(t *testing.T) {
	const n, h, w, cin, cout = 2, 4, 3, 3, 2
	in := randSlice(n*h*w*cin, 41)
	w5 := randSlice(25*cin*cout, 42)
	w3 := transposedKernelToDepthToSpace(w5, cin, cout)
	r := randSlice(n*2*h*2*w*cout, 43)

	e, err := NewExec(backend(t), func(x, k, r *Node) (*Node, *Node, *Node) {
		out := DepthToSpace(Conv2D(x, k, 1, true))
		grads := Gradient(ReduceAllSum(Mul(out, r)), x, k)
		return out, grads[0], grads[1]
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Call(tensors.FromFlatDataAndDimensions(in, n, h, w, cin),
		tensors.FromFlatDataAndDimensions(w3, 3, 3, cin, 4*cout), tensors.FromFlatDataAndDimensions(r, n, 2*h, 2*w, cout))
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "forward", flat32(res[0]), scatterTransposedConv(in, n, h, w, cin, w5, cout), 1e-5)

	gIn, gW5 := scatterGradients(in, n, h, w, cin, w5, cout, r)
	assertClose(t, "gradient wrt input", flat32(res[1]), gIn, 1e-4)
	// Each 5x5 tap lives at exactly one place of the 3x3 kernel: its gradient must be found there.
	gW3 := flat32(res[2])
	mapped := transposedKernelToDepthToSpace(gW5, cin, cout)
	onesMap := transposedKernelToDepthToSpace(onesLike(w5), cin, cout)
	var got, want []float32
	for i, isTap := range onesMap {
		if isTap != 0 {
			got, want = append(got, gW3[i]), append(want, mapped[i])
		}
	}
	if len(got) != 25*cin*cout {
		t.Fatalf("%d mapped taps, want %d: the kernel map is not one-to-one", len(got), 25*cin*cout)
	}
	assertClose(t, "gradient wrt kernel", got, want, 1e-4)
}

func onesLike(v []float32) []float32 {
	out := make([]float32, len(v))
	for i := range out {
		out[i] = 1
	}
	return out
}

// The in-graph kernel map must agree with the flat one the scatter-add reference checks.
func TestTransposedKernelGraphMatchesFlatMap(t *testing.T) {
	const cin, cout = 3, 2
	w5 := randSlice(25*cin*cout, 44)
	got := run1(t, func(in []*Node) *Node { return TransposedKernelGraph(in[0]) },
		tensors.FromFlatDataAndDimensions(w5, 5, 5, cin, cout))
	assertClose(t, "mapped kernel", flat32(got), transposedKernelToDepthToSpace(w5, cin, cout), 0)
}

func TestNearestUpsample(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8} // [1,2,2,2]: pixels (1,2) (3,4) / (5,6) (7,8).
	got := flat32(run1(t, func(in []*Node) *Node { return nearestUpsample(in[0]) }, tensors.FromFlatDataAndDimensions(x, 1, 2, 2, 2)))
	want := []float32{
		1, 2, 1, 2, 3, 4, 3, 4,
		1, 2, 1, 2, 3, 4, 3, 4,
		5, 6, 5, 6, 7, 8, 7, 8,
		5, 6, 5, 6, 7, 8, 7, 8}
	assertClose(t, "upsampled", got, want, 0)
}

// Resize-convolution computed at the low resolution must equal convolving the doubled image, in value
// and in both gradients.
func TestResizeConvAtLowResolution(t *testing.T) {
	const n, h, w, cin, cout = 2, 4, 3, 3, 2
	in := randSlice(n*h*w*cin, 51)
	k := randSlice(9*cin*cout, 52)
	r := randSlice(n*2*h*2*w*cout, 53)
	e, err := NewExec(backend(t), func(x, k, r *Node) []*Node {
		direct := Conv2D(nearestUpsample(x), k, 1, true)
		fast := DepthToSpace(Conv2D(x, ResizeKernelGraph(k), 1, true))
		gd := Gradient(ReduceAllSum(Mul(direct, r)), x, k)
		gf := Gradient(ReduceAllSum(Mul(fast, r)), x, k)
		return []*Node{direct, fast, gd[0], gf[0], gd[1], gf[1]}
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Call(tensors.FromFlatDataAndDimensions(in, n, h, w, cin),
		tensors.FromFlatDataAndDimensions(k, 3, 3, cin, cout), tensors.FromFlatDataAndDimensions(r, n, 2*h, 2*w, cout))
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "forward", flat32(res[1]), flat32(res[0]), 1e-5)
	assertClose(t, "gradient wrt input", flat32(res[3]), flat32(res[2]), 1e-4)
	assertClose(t, "gradient wrt kernel", flat32(res[5]), flat32(res[4]), 1e-4)
}

// nearestUpsample doubles the resolution of x [N,H,W,C] by repeating each pixel 2x2: depth-to-space of
// four copies, which (unlike Pad or a resize op) has a gradient on every backend.
func nearestUpsample(x *Node) *Node { return DepthToSpace(Concatenate([]*Node{x, x, x, x}, 3)) }

// transposedKernelToDepthToSpace maps the kernel w5 [5,5,cin,cout] of a 5x5 stride-2 "same" transposed
// convolution (out[2i+a-1, 2j+b-1] += in[i,j] * w5[a,b], cropped to twice the input size) to the kernel
// [3,3,cin,4*cout] of the 3x3 convolution that, followed by DepthToSpace, computes the same thing.
// Kernels are row-major flat slices.
func transposedKernelToDepthToSpace(w5 []float32, cin, cout int) []float32 {
	w3 := make([]float32, 3*3*cin*4*cout)
	for ta := 0; ta < 3; ta++ {
		for tb := 0; tb < 3; tb++ {
			for r := 0; r < 2; r++ {
				for s := 0; s < 2; s++ {
					a, b, ok := transposedTap(ta, tb, r, s)
					if !ok {
						continue
					}
					for ci := 0; ci < cin; ci++ {
						for co := 0; co < cout; co++ {
							w3[((ta*3+tb)*cin+ci)*4*cout+(r*2+s)*cout+co] = w5[((a*5+b)*cin+ci)*cout+co]
						}
					}
				}
			}
		}
	}
	return w3
}
