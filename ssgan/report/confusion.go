package report

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Confusion counts test images by true class (row) and predicted class (column), for any number of
// classes.
type Confusion struct {
	Counts [][]int // [true][predicted].
	Names  []string
}

// NewConfusion returns an empty matrix for the classes named (in label order).
func NewConfusion(names []string) Confusion {
	c := Confusion{Counts: make([][]int, len(names)), Names: names}
	for i := range c.Counts {
		c.Counts[i] = make([]int, len(names))
	}
	return c
}

// Add counts predictions pred against labels.
func (c *Confusion) Add(pred, labels []int32) {
	for i, p := range pred {
		c.Counts[labels[i]][p]++
	}
}

// PerClass returns each class's accuracy (NaN-free: 0 for a class with no images) and its image count.
func (c *Confusion) PerClass() (acc []float64, count []int) {
	acc, count = make([]float64, len(c.Counts)), make([]int, len(c.Counts))
	for d, row := range c.Counts {
		for _, n := range row {
			count[d] += n
		}
		if count[d] > 0 {
			acc[d] = float64(row[d]) / float64(count[d])
		}
	}
	return acc, count
}

// Accuracy is the fraction of images on the diagonal (0 for an empty matrix).
func (c *Confusion) Accuracy() float64 {
	right, total := 0, 0
	for d, row := range c.Counts {
		right += row[d]
		for _, n := range row {
			total += n
		}
	}
	if total == 0 {
		return 0
	}
	return float64(right) / float64(total)
}

// confusionGrid adapts a Confusion to gonum's GridXYZ, row 0 (class 0) at the top.
type confusionGrid struct{ c *Confusion }

func (g confusionGrid) Dims() (int, int)       { k := len(g.c.Counts); return k, k }
func (g confusionGrid) X(col int) float64      { return float64(col) }
func (g confusionGrid) Y(row int) float64      { return float64(len(g.c.Counts) - 1 - row) }
func (g confusionGrid) Z(col, row int) float64 { return float64(g.c.Counts[row][col]) }

// PNG draws the matrix as a heat map with the count in every cell: true class down the left, predicted
// class along the bottom, each named. The off-diagonal cells that are dark show which classes the model
// confuses.
func (c *Confusion) PNG(title string) ([]byte, error) {
	k := len(c.Counts)
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "predicted class"
	p.Y.Label.Text = "true class"
	hm := plotter.NewHeatMap(confusionGrid{c}, blues{})
	p.Add(hm)
	var labels plotter.XYLabels
	for row := 0; row < k; row++ {
		for col := 0; col < k; col++ {
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(col), Y: float64(k - 1 - row)})
			labels.Labels = append(labels.Labels, fmt.Sprint(c.Counts[row][col]))
		}
	}
	l, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Color = color.Black
		l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
	}
	p.Add(l)
	var xticks, yticks []plot.Tick
	for d := 0; d < k; d++ {
		name := fmt.Sprint(d)
		if d < len(c.Names) {
			name = c.Names[d]
		}
		xticks = append(xticks, plot.Tick{Value: float64(d), Label: name})
		yticks = append(yticks, plot.Tick{Value: float64(k - 1 - d), Label: name})
	}
	p.X.Tick.Marker = plot.ConstantTicks(xticks)
	p.Y.Tick.Marker = plot.ConstantTicks(yticks)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -0.5, float64(k)-0.5, -0.5, float64(k)-0.5
	return renderPNG(p, 6*vg.Inch, 6*vg.Inch, "confusion matrix")
}

// blues runs from white (no images) to a mid blue light enough for black counts on top.
type blues struct{}

func (blues) Colors() []color.Color {
	out := make([]color.Color, 64)
	for i := range out {
		f := float64(i) / 63
		out[i] = color.RGBA{uint8(255 - 175*f), uint8(255 - 115*f), uint8(255 - 35*f), 255}
	}
	return out
}

var _ palette.Palette = blues{}
