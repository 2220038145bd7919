package ssgan

import (
	"fmt"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// Predictor gives digit probabilities for images, from any checkpoint: the course's convolutional
// networks (images of 32x32x3) or the improved recipe's MLPs (28x28 grey).
type Predictor struct {
	Config TrainConfig
	Epoch  int
	mlp    *MLPModel
	exec   *model.Exec
}

// LoadPredictor rebuilds the model of the checkpoint in dir for prediction.
func LoadPredictor(backend compute.Backend, dir string) (*Predictor, error) {
	ck, err := OpenCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	p := &Predictor{Config: ck.Config(), Epoch: ck.Epoch()}
	if p.Config.Model.Arch == ArchMLP {
		m, err := NewMLPModel(backend, p.Config, ReferencePieces())
		if err != nil {
			return nil, err
		}
		if err := ck.RestoreStore(m.Store); err != nil {
			return nil, err
		}
		m.restored()
		p.mlp = m
		p.exec, err = model.NewExec(backend, m.Store, func(scope *model.Scope, x *Node) *Node {
			logits, _ := MLPDiscriminator(scope, x, MLPMode{})
			return Softmax(logits, -1)
		})
		return p, err
	}
	m, err := NewModel(backend, p.Config, ReferencePieces())
	if err != nil {
		return nil, err
	}
	if err := ck.Restore(m); err != nil {
		return nil, err
	}
	p.exec, err = model.NewExec(backend, m.Store, func(scope *model.Scope, x *Node) *Node {
		logits, _ := Discriminator(scope, m.Config.Model, m.Pieces, x, BNMode{})
		return Softmax(Slice(logits, AxisRange(), AxisRange(0, NumClasses)), -1)
	})
	return p, err
}

// InputSize is the side of the square images the model reads, and whether it reads them grey.
func (p *Predictor) InputSize() (side int, grey bool) {
	if p.Config.Model.Arch == ArchMLP {
		return data.MNISTSize, true
	}
	return data.ImageSize, false
}

// Probabilities returns, for n images given as pixels in [0,255] (n*side*side values if grey, else
// n*side*side*3, row-major), the probability of each digit: [n][10].
func (p *Predictor) Probabilities(pixels []uint8, n int) ([][]float32, error) {
	side, grey := p.InputSize()
	var x *tensors.Tensor
	if grey {
		v := make([]float32, len(pixels))
		for i, b := range pixels {
			v[i] = float32(b) / 255
		}
		x = tensors.FromFlatDataAndDimensions(v, n, side*side)
	} else {
		v := make([]float32, len(pixels))
		for i, b := range pixels {
			v[i] = data.ScalePixel(b)
		}
		x = tensors.FromFlatDataAndDimensions(v, n, side, side, data.ImageChannels)
	}
	var out []*tensors.Tensor
	run := func() error {
		var err error
		out, err = call(p.exec, x)
		return err
	}
	var err error
	if p.mlp != nil {
		err = p.mlp.avg.apply(run)
	} else {
		err = run()
	}
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	flat := tensors.MustCopyFlatData[float32](out[0])
	probs := make([][]float32, n)
	for i := range probs {
		probs[i] = flat[i*NumClasses : (i+1)*NumClasses]
	}
	return probs, nil
}

// restored prepares a model whose variables came from a checkpoint: the averaged weights are there.
func (m *MLPModel) restored() {
	m.avg = listWeights(m.Store, m.Config.EMADecay, false)
	m.initialised = true
}

// Confusion predicts n images (pixels as Probabilities takes them, labels [n]) in batches and counts the
// answers per true digit.
func (p *Predictor) Confusion(pixels []uint8, labels []int32, batch int) (Confusion, error) {
	var c Confusion
	side, grey := p.InputSize()
	per := side * side
	if !grey {
		per *= data.ImageChannels
	}
	for start := 0; start < len(labels); start += batch {
		end := min(start+batch, len(labels))
		probs, err := p.Probabilities(pixels[start*per:end*per], end-start)
		if err != nil {
			return c, err
		}
		pred := make([]int32, len(probs))
		for i, row := range probs {
			for k := range row {
				if row[k] > row[pred[i]] {
					pred[i] = int32(k)
				}
			}
		}
		c.Add(pred, labels[start:end])
	}
	return c, nil
}
