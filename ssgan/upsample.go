package ssgan

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// How the generator doubles its resolution. All three cost the same multiplies (a 3x3 convolution to four
// times the channels, or a 3x3 convolution at twice the resolution) and train on every GoMLX backend.
const (
	// UpsampleTransposed is the course's 5x5 stride-2 "same" transposed convolution, exactly: its 5x5
	// kernel is the variable, mapped in the graph onto a 3x3 convolution followed by depth-to-space.
	UpsampleTransposed = "transposed"
	// UpsampleResize is nearest-neighbour doubling followed by a 3x3 convolution ("resize-convolution"),
	// computed like the transposed one at the low resolution.
	UpsampleResize = "resize"
	// UpsampleSubpixel is a free 3x3 convolution to 4x the channels and depth-to-space ("pixel shuffle").
	// Its four output phases start independent and it learned only a checkerboard texture here; kept to
	// reproduce that measurement.
	UpsampleSubpixel = "subpixel"
)

// DefaultUpsample is the generator's upsampling unless ModelConfig.Upsample says otherwise.
const DefaultUpsample = UpsampleResize

// Upsamplers lists the valid values of ModelConfig.Upsample.
var Upsamplers = []string{UpsampleTransposed, UpsampleResize, UpsampleSubpixel}

func checkUpsample(name string) error {
	if name == "" || slices.Contains(Upsamplers, name) {
		return nil
	}
	return fmt.Errorf("upsample %q: want one of %v", name, Upsamplers)
}

// Why a transposed convolution can be a 3x3 convolution and depth-to-space:
//
// GoMLX has no trainable transposed convolution (the gradient of an input-dilated convolution panics), and
// building one from zero insertion wastes 3/4 of its multiplies on zeros. Look at which inputs one output
// of a 5x5 stride-2 "same" transposed convolution reads: output 2m+r (r = 0 or 1) receives input i through
// kernel tap k = 2m+r+1-2i, so only inputs m-1, m, m+1 reach it. Each output phase r is therefore a 3x3
// stride-1 convolution of the input with its own kernel, and computing the 2x2 phases as 4x the output
// channels and interleaving them (depth-to-space) gives the transposed convolution exactly. The tests
// check outputs and gradients against a scatter-add reference.
//
// Why not a free 3x3 kernel (UpsampleSubpixel), which is more general: its four phases are four unrelated
// kernels, so at initialisation neighbouring output pixels are uncorrelated, and feature matching on
// globally pooled features barely penalises a fine texture. We measured the generator locking into a
// periodic high-frequency pattern, the same for every z. The transposed kernel ties the phases together
// (each 5x5 tap serves exactly one phase, all from one smooth kernel), and resize-convolution shares one
// kernel between all four.

// DepthToSpace rearranges [N,H,W,4C] into [N,2H,2W,C]: channel block (r*2+s) becomes the pixel at row
// offset r, column offset s of each 2x2 output cell ("pixel shuffle").
func DepthToSpace(x *Node) *Node {
	dims := x.Shape().Dimensions
	n, h, w, c := dims[0], dims[1], dims[2], dims[3]/4
	x = Reshape(x, n, h, w, 2, 2, c)
	x = transpose6(x)
	return Reshape(x, n, 2*h, 2*w, c)
}

// transpose6 permutes [N,H,W,r,s,C] to [N,H,r,W,s,C].
func transpose6(x *Node) *Node { return TransposeAllAxes(x, 0, 1, 3, 2, 4, 5) }

// Upsample doubles the resolution of x [N,H,W,Cin] to [N,2H,2W,cout] the way kind says.
func Upsample(scope *model.Scope, kind, name string, x *Node, cout int, useBias bool) *Node {
	var y *Node
	if kind == "" {
		kind = DefaultUpsample
	}
	switch kind {
	case UpsampleSubpixel:
		return DepthToSpace(Conv(scope, name, x, 3, 4*cout, 1, true, useBias))
	case UpsampleResize:
		y = resizeConv(scope, name, x, cout)
	case UpsampleTransposed:
		y = transposedConv5(scope, name, x, cout)
	default:
		panic(checkUpsample(kind))
	}
	if useBias {
		b := scope.At("%s", name).WithInitializer(initializer.Zero).
			VariableWithShape("bias", shapes.Make(x.DType(), cout)).NodeValue(x.Graph())
		y = Add(y, asLastAxis(b, y.Rank()))
	}
	return y
}

// resizeConv is nearest-neighbour doubling followed by a "same" 3x3 convolution, without bias: kernel
// [3,3,cin,cout] under scope/name. It is computed at the low resolution, as a 3x3 convolution to 4*cout
// channels and depth-to-space (ResizeKernelGraph), which costs a quarter of convolving the doubled image.
func resizeConv(scope *model.Scope, name string, x *Node, cout int) *Node {
	s := scope.At("%s", name)
	cin := x.Shape().Dimensions[3]
	w := s.VariableWithShape("kernel", shapes.Make(x.DType(), 3, 3, cin, cout)).NodeValue(x.Graph())
	return DepthToSpace(Conv2D(x, ResizeKernelGraph(w), 1, true))
}

// ResizeKernelGraph maps the kernel w [3,3,cin,cout] of a "same" 3x3 convolution applied to a
// nearest-neighbour doubled image onto the [3,3,cin,4*cout] kernel that computes it on the original
// image with DepthToSpace. Output row 2m+r reads doubled rows 2m+r-1+a (tap a), which are original rows
// m + floor((r+a-1)/2): so phase r sums the taps that land on the same original row.
func ResizeKernelGraph(w *Node) *Node {
	row := func(r, a int) int { return (r + a + 1) / 2 } // Original-row offset + 1 of tap a for phase r.
	return phaseKernel(w, func(ta, tb, r, s int) (taps [][2]int) {
		for a := 0; a < 3; a++ {
			for b := 0; b < 3; b++ {
				if row(r, a) == ta && row(s, b) == tb {
					taps = append(taps, [2]int{a, b})
				}
			}
		}
		return taps
	})
}

// phaseKernel builds, from a kernel w [k,k,cin,cout], the [3,3,cin,4*cout] kernel whose output channel
// block r*2+s is phase (r, s) for DepthToSpace: its entry at input offset (ta-1, tb-1) for phase (r, s)
// is the sum of w's taps that taps(ta, tb, r, s) lists (zero where it lists none). Built from slices,
// so its gradient exists on every backend.
func phaseKernel(w *Node, taps func(ta, tb, r, s int) [][2]int) *Node {
	dims := w.Shape().Dimensions
	cin, cout := dims[2], dims[3]
	zero := Zeros(w.Graph(), shapes.Make(w.DType(), 1, 1, cin, cout))
	blocks := make([]*Node, 0, 36) // In (ta, tb, r, s) order.
	for ta := 0; ta < 3; ta++ {
		for tb := 0; tb < 3; tb++ {
			for r := 0; r < 2; r++ {
				for s := 0; s < 2; s++ {
					sum := zero
					for i, t := range taps(ta, tb, r, s) {
						tap := Slice(w, AxisRange(t[0], t[0]+1), AxisRange(t[1], t[1]+1))
						if i == 0 {
							sum = tap
						} else {
							sum = Add(sum, tap)
						}
					}
					blocks = append(blocks, sum)
				}
			}
		}
	}
	k := Reshape(Concatenate(blocks, 0), 3, 3, 4, cin, cout)
	k = TransposeAllAxes(k, 0, 1, 3, 2, 4)
	return Reshape(k, 3, 3, cin, 4*cout)
}

// transposedConv5 is the course's 5x5 stride-2 "same" transposed convolution without bias: kernel
// [5,5,cin,cout] under scope/name, computed as a 3x3 convolution and depth-to-space.
func transposedConv5(scope *model.Scope, name string, x *Node, cout int) *Node {
	s := scope.At("%s", name)
	cin := x.Shape().Dimensions[3]
	w5 := s.VariableWithShape("kernel5", shapes.Make(x.DType(), 5, 5, cin, cout)).NodeValue(x.Graph())
	return DepthToSpace(Conv2D(x, TransposedKernelGraph(w5), 1, true))
}

// transposedTap returns the tap (a, b) of the 5x5 transposed kernel that input offset (ta-1, tb-1) of the
// 3x3 kernel uses for output phase (r, s), and false where no tap reaches (the kernel's zeros).
func transposedTap(ta, tb, r, s int) (a, b int, ok bool) {
	a, b = r-2*(ta-1)+1, s-2*(tb-1)+1
	return a, b, a >= 0 && a <= 4 && b >= 0 && b <= 4
}

// TransposedKernelGraph maps, in the graph, a 5x5 transposed-convolution kernel w5 [5,5,cin,cout] onto
// the [3,3,cin,4*cout] kernel that computes it with DepthToSpace (the graph twin of
// transposedKernelToDepthToSpace in the tests, built from slices so its gradient exists everywhere).
func TransposedKernelGraph(w5 *Node) *Node {
	return phaseKernel(w5, func(ta, tb, r, s int) [][2]int {
		if a, b, ok := transposedTap(ta, tb, r, s); ok {
			return [][2]int{{a, b}}
		}
		return nil
	})
}
