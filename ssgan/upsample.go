package ssgan

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Why the generator upsamples with depth-to-space instead of a transposed convolution:
//
// The course's generator uses 5x5 stride-2 "same" transposed convolutions. GoMLX has no trainable one (the
// gradient of an input-dilated convolution panics), and building one from zero insertion wastes 3/4 of its
// multiplies on zeros. Look at which inputs one output of a 5x5 stride-2 transposed convolution reads:
// output 2m+r (r = 0 or 1) receives input i through kernel tap k = 2m+r+1-2i, so only inputs m-1, m, m+1
// reach it. Each output phase r is therefore a 3x3 stride-1 convolution of the input with its own kernel,
// and computing the 2x2 phases as 4x the output channels and interleaving them (depth-to-space) gives
// the transposed convolution exactly (TransposedKernelToDepthToSpace maps the weights; the tests check
// outputs and gradients against a scatter-add reference). A free 3x3 kernel is more general than the
// mapped one, and costs about a third of zero insertion.

// DepthToSpace rearranges [N,H,W,4C] into [N,2H,2W,C]: channel block (r*2+s) becomes the pixel at row
// offset r, column offset s of each 2x2 output cell ("pixel shuffle").
func DepthToSpace(x *Node) *Node {
	dims := x.Shape().Dimensions
	n, h, w, c := dims[0], dims[1], dims[2], dims[3]/4
	x = Reshape(x, n, h, w, 2, 2, c)
	x = Transpose6(x)
	return Reshape(x, n, 2*h, 2*w, c)
}

// Transpose6 permutes [N,H,W,r,s,C] to [N,H,r,W,s,C].
func Transpose6(x *Node) *Node { return TransposeAllAxes(x, 0, 1, 3, 2, 4, 5) }

// upConv doubles the resolution of x [N,H,W,Cin] to [N,2H,2W,cout]: a 3x3 stride-1 convolution to 4*cout
// channels followed by DepthToSpace. It computes every 5x5 stride-2 "same" transposed convolution exactly
// (see TransposedKernelToDepthToSpace) and more, at about a third of the cost of zero insertion, and
// unlike GoMLX's transposed convolution it has a gradient.
func upConv(scope *model.Scope, name string, x *Node, cout int, useBias bool) *Node {
	return DepthToSpace(conv(scope, name, x, 3, 4*cout, 1, true, useBias))
}

// TransposedKernelToDepthToSpace maps the kernel w5 [5,5,cin,cout] of a 5x5 stride-2 "same" transposed
// convolution (out[2i+a-1, 2j+b-1] += in[i,j] * w5[a,b], cropped to twice the input size) to the kernel
// [3,3,cin,4*cout] of the 3x3 convolution that, followed by DepthToSpace, computes the same thing.
// Kernels are row-major flat slices.
func TransposedKernelToDepthToSpace(w5 []float32, cin, cout int) []float32 {
	w3 := make([]float32, 3*3*cin*4*cout)
	for ta := 0; ta < 3; ta++ {
		for tb := 0; tb < 3; tb++ {
			for r := 0; r < 2; r++ {
				for s := 0; s < 2; s++ {
					a, b := r-2*(ta-1)+1, s-2*(tb-1)+1 // Tap of w5 that input offset (ta-1, tb-1) uses for phase (r, s).
					if a < 0 || a > 4 || b < 0 || b > 4 {
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
