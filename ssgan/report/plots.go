package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// seriesColors is the one palette of every chart (matplotlib's ten "tab10" colours), so that a series
// has the same colour wherever it appears.
var seriesColors = []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}, {23, 190, 207, 255}}

// SampleGrid lays out images of the given shape with values in [-1,1] (grey or colour) as a grid of rows x
// cols with a 2-pixel gap.
func SampleGrid(pixels []float32, shape data.Shape, rows, cols int) *image.RGBA {
	const gap = 2
	h, w, c, v := shape.Height, shape.Width, shape.Channels, shape.Values()
	n := len(pixels) / v
	img := image.NewRGBA(image.Rect(0, 0, cols*(w+gap)+gap, rows*(h+gap)+gap))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for k := 0; k < n && k < rows*cols; k++ {
		ox, oy := gap+(k%cols)*(w+gap), gap+(k/cols)*(h+gap)
		px := pixels[k*v:]
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := px[(y*w+x)*c:]
				if c < 3 {
					g := toByte(p[0])
					img.SetRGBA(ox+x, oy+y, color.RGBA{g, g, g, 255})
				} else {
					img.SetRGBA(ox+x, oy+y, color.RGBA{toByte(p[0]), toByte(p[1]), toByte(p[2]), 255})
				}
			}
		}
	}
	return img
}

func toByte(v float32) uint8 { return uint8(min(255, max(0, (v+1)*127.5+0.5))) }

// EncodePNG encodes an image as PNG bytes.
func EncodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // Encoding an in-memory RGBA cannot fail.
	return buf.Bytes()
}

// ImagesGrid turns the first rows*cols images of a set into a grid, for looking at real data.
func ImagesGrid(im *data.Images, rows, cols int) *image.RGBA {
	n := min(im.Len(), rows*cols)
	px := make([]float32, n*im.Values())
	for i, v := range im.Pixels[:n*im.Values()] {
		px[i] = data.ScalePixel(v)
	}
	return SampleGrid(px, im.Shape, rows, cols)
}

// LearningCurves plots, per epoch, the train and test accuracy, the discriminator's loss and the
// generator's loss, each on its own axes (the generator's feature-matching loss is far smaller than the
// discriminator's), as PNG bytes. dropout says whether the run trained with dropout, for the legend: the
// train accuracy is measured during the epoch, so with dropout it lags the test accuracy.
func LearningCurves(history []run.EpochMetrics, dropout bool) ([]byte, error) {
	return LearningCurvesBeside(history, run.Info{Dropout: dropout}, nil)
}

// LearningCurvesBeside is LearningCurves for a run described by info (a labels-only run has no generator
// axes), with other runs' test accuracy drawn into the accuracy axes (a labels-only run beside the
// finished GAN run it is compared with).
func LearningCurvesBeside(history []run.EpochMetrics, info run.Info, others []Curve) ([]byte, error) {
	dropout := info.Dropout
	panel := func(title, ylabel string) *plot.Plot {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = "epoch"
		p.Y.Label.Text = ylabel
		return p
	}
	acc := panel("Accuracy", "fraction correct")
	acc.Y.Min, acc.Y.Max = 0, 1
	dLoss := panel("Discriminator loss", "loss: supervised + unsupervised")
	if info.SupervisedOnly {
		dLoss.Y.Label.Text = "loss: supervised"
	}
	gLoss := panel("Generator loss", "loss: feature matching")
	series := func(get func(run.EpochMetrics) float64) plotter.XYs {
		xy := make(plotter.XYs, len(history))
		for i, h := range history {
			xy[i].X, xy[i].Y = float64(h.Epoch), get(h)
		}
		return xy
	}
	add := func(p *plot.Plot, name string, xy plotter.XYs, c color.Color, dashed bool) error {
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return err
		}
		l.Color, pts.Color = c, c
		if dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		p.Add(l, pts)
		if name != "" {
			p.Legend.Add(name, l)
		}
		return nil
	}
	trainName := "train (labelled images, during the epoch)"
	if dropout {
		trainName = "train (labelled images, dropout on)"
	}
	blue, orange := seriesColors[0], seriesColors[1]
	for _, err := range []error{
		add(acc, trainName, series(func(h run.EpochMetrics) float64 { return h.TrainAcc }), blue, true),
		add(acc, "test", series(func(h run.EpochMetrics) float64 { return h.TestAcc }), orange, false),
		add(dLoss, "", series(func(h run.EpochMetrics) float64 { return h.DLoss }), blue, false),
		add(gLoss, "", series(func(h run.EpochMetrics) float64 { return h.GLoss }), orange, false),
	} {
		if err != nil {
			return nil, fmt.Errorf("learning curves: %w", err)
		}
	}
	for i, c := range others {
		if err := add(acc, c.Name, c.points(), seriesColors[(2+i)%len(seriesColors)], c.Dashed); err != nil {
			return nil, fmt.Errorf("learning curves: %w", err)
		}
	}
	acc.Legend.Top, acc.Legend.Left = false, false
	if info.SupervisedOnly {
		return renderRow([]*plot.Plot{acc, dLoss}, 8*vg.Inch, 3.6*vg.Inch, "learning curves")
	}
	return renderRow([]*plot.Plot{acc, dLoss, gLoss}, 12*vg.Inch, 3.6*vg.Inch, "learning curves")
}

// renderRow draws plots side by side on a w x h canvas and returns the PNG bytes (what names it in an error).
func renderRow(plots []*plot.Plot, w, h vg.Length, what string) ([]byte, error) {
	canvas := vgimg.PngCanvas{Canvas: vgimg.New(w, h)}
	dc := draw.New(canvas)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2}
	for i, p := range plots {
		p.Draw(tiles.At(dc, i, 0))
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return buf.Bytes(), nil
}

// Curve is one line of AccuracyCurves: test accuracy per epoch.
type Curve struct {
	Name   string
	Acc    []float64 // Test accuracy after epoch 1, 2, ...
	Dashed bool      // For recorded runs shown beside this one.
}

// points are the curve's accuracies at epochs 1, 2, ...
func (c Curve) points() plotter.XYs {
	xy := make(plotter.XYs, len(c.Acc))
	for e, a := range c.Acc {
		xy[e].X, xy[e].Y = float64(e+1), a
	}
	return xy
}

// CurveOf returns the test-accuracy curve of a training history.
func CurveOf(name string, history []run.EpochMetrics) Curve {
	c := Curve{Name: name}
	for _, h := range history {
		c.Acc = append(c.Acc, h.TestAcc)
	}
	return c
}

// AccuracyCurves plots several test-accuracy curves on one chart, as PNG bytes.
func AccuracyCurves(title string, curves []Curve) ([]byte, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "test accuracy"
	colors := seriesColors
	for i, c := range curves {
		l, pts, err := plotter.NewLinePoints(c.points())
		if err != nil {
			return nil, fmt.Errorf("accuracy curves: %w", err)
		}
		l.Color, pts.Color = colors[i%len(colors)], colors[i%len(colors)]
		if c.Dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		p.Add(l, pts)
		p.Legend.Add(c.Name, l)
	}
	p.Legend.Top, p.Legend.Left = false, false
	p.Add(plotter.NewGrid())
	return renderPNG(p, 8*vg.Inch, 4.5*vg.Inch, "accuracy curves")
}

// renderPNG draws one plot on a w x h canvas and returns the PNG bytes (what names it in an error).
func renderPNG(p *plot.Plot, w, h vg.Length, what string) ([]byte, error) {
	return renderRow([]*plot.Plot{p}, w, h, what)
}

// SeedCurves plots the test accuracy per epoch of repeated runs (an experiment's seeds): one line per run,
// one colour per setting (run i belongs to settings[group[i]]), each setting named once in the legend.
func SeedCurves(title string, settings []string, runs []Curve, group []int) ([]byte, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "test accuracy"
	named := make([]bool, len(settings))
	for i, c := range runs {
		l, err := plotter.NewLine(c.points())
		if err != nil {
			return nil, fmt.Errorf("seed curves: %w", err)
		}
		l.Color = seriesColors[group[i]%len(seriesColors)]
		p.Add(l)
		if !named[group[i]] {
			p.Legend.Add(settings[group[i]], l)
			named[group[i]] = true
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	return renderPNG(p, 8*vg.Inch, 5*vg.Inch, "seed curves")
}
