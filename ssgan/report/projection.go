package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// What the unlabelled images did to the discriminator, in a picture: its features (the pooled last layer
// that the class logits read and that feature matching compares) of test images, projected onto their
// two principal components, one colour per class, with generated images' features in grey on the same
// axes. A nearest-centroid score says in a number how well the classes separate.

// Projection is real images' features on their first two principal components, and generated images'
// features on the same axes.
type Projection struct {
	Real      [][2]float64
	Labels    []int32
	Fake      [][2]float64
	Explained float64 // Share of the real features' variance the two components keep.
	// Centroid2D and CentroidFull: accuracy of a nearest-centroid classifier whose class centroids come
	// from the even-numbered images, scored on the odd-numbered ones, in the 2-D projection and in the
	// full feature space.
	Centroid2D, CentroidFull float64
}

// ProjectFeatures fits principal components to the real features (with their labels, in classes 0..k-1)
// and projects the real and the generated (fake, may be empty) features onto the first two.
func ProjectFeatures(real [][]float32, labels []int32, k int, fake [][]float32) (Projection, error) {
	n := len(real)
	if n < 4 || len(labels) != n {
		return Projection{}, fmt.Errorf("project features: %d feature rows and %d labels; want at least 4 of each, as many", n, len(labels))
	}
	f := len(real[0])
	if f < 2 {
		return Projection{}, fmt.Errorf("project features: %d features per image; want at least 2", f)
	}
	for i, r := range real {
		if len(r) != f || labels[i] < 0 || int(labels[i]) >= k {
			return Projection{}, fmt.Errorf("project features: image %d has %d features and label %d; want %d features and a label in [0, %d)", i, len(r), labels[i], f, k)
		}
	}
	for i, r := range fake {
		if len(r) != f {
			return Projection{}, fmt.Errorf("project features: generated image %d has %d features; want %d", i, len(r), f)
		}
	}
	x := toDense(real, f)
	var pc stat.PC
	if !pc.PrincipalComponents(x, nil) {
		return Projection{}, fmt.Errorf("project features: the principal components did not converge")
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	vars := pc.VarsTo(nil)
	total := 0.0
	for _, v := range vars {
		total += v
	}
	mean := make([]float64, f)
	for j := range f {
		mean[j] = stat.Mean(mat.Col(nil, j, x), nil)
	}
	project := func(rows [][]float32) [][2]float64 {
		out := make([][2]float64, len(rows))
		for i, r := range rows {
			for j, v := range r {
				c := float64(v) - mean[j]
				out[i][0] += c * vecs.At(j, 0)
				out[i][1] += c * vecs.At(j, 1)
			}
		}
		return out
	}
	p := Projection{Real: project(real), Labels: labels, Fake: project(fake)}
	if total > 0 {
		p.Explained = (vars[0] + vars[1]) / total
	}
	full := make([][]float64, n) // The rows of x: the features already in float64.
	flat := make([][]float64, n)
	for i := range n {
		full[i], flat[i] = x.RawRowView(i), p.Real[i][:]
	}
	p.Centroid2D, p.CentroidFull = nearestCentroid(flat, labels, k), nearestCentroid(full, labels, k)
	return p, nil
}

func toDense(rows [][]float32, f int) *mat.Dense {
	x := mat.NewDense(len(rows), f, nil)
	for i, r := range rows {
		for j, v := range r {
			x.Set(i, j, float64(v))
		}
	}
	return x
}

// nearestCentroid fits one centroid per class on the even-numbered points and returns the share of the
// odd-numbered points whose nearest centroid is their own class's.
func nearestCentroid(points [][]float64, labels []int32, k int) float64 {
	d := len(points[0])
	sums, counts := make([][]float64, k), make([]int, k)
	for c := range sums {
		sums[c] = make([]float64, d)
	}
	for i := 0; i < len(points); i += 2 {
		c := labels[i]
		counts[c]++
		for j, v := range points[i] {
			sums[c][j] += v
		}
	}
	right, scored := 0, 0
	for i := 1; i < len(points); i += 2 {
		best, bestDist := -1, math.Inf(1)
		for c := range k {
			if counts[c] == 0 {
				continue
			}
			dist := 0.0
			for j, v := range points[i] {
				e := v - sums[c][j]/float64(counts[c])
				dist += e * e
			}
			if dist < bestDist {
				best, bestDist = c, dist
			}
		}
		scored++
		if int32(best) == labels[i] {
			right++
		}
	}
	return float64(right) / float64(max(1, scored))
}

// ProjectionsPNG draws projections side by side, one panel per title: real images coloured by class
// (names in label order), generated images as grey crosses.
func ProjectionsPNG(titles []string, ps []Projection, names []string) ([]byte, error) {
	if len(titles) != len(ps) || len(ps) == 0 {
		return nil, fmt.Errorf("feature projections: %d titles for %d projections", len(titles), len(ps))
	}
	plots := make([]*plot.Plot, len(ps))
	for i, p := range ps {
		pl, err := projectionPlot(titles[i], p, names)
		if err != nil {
			return nil, fmt.Errorf("feature projections: %w", err)
		}
		plots[i] = pl
	}
	return renderRow(plots, 6*vg.Inch*vg.Length(len(ps)), 5.5*vg.Inch, "feature projections")
}

func projectionPlot(title string, p Projection, names []string) (*plot.Plot, error) {
	pl := plot.New()
	pl.Title.Text = title
	pl.X.Label.Text = "principal component 1"
	pl.Y.Label.Text = "principal component 2"
	if len(p.Fake) > 0 {
		xy := make(plotter.XYs, len(p.Fake))
		for i, q := range p.Fake {
			xy[i].X, xy[i].Y = q[0], q[1]
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle.Color, s.GlyphStyle.Shape, s.GlyphStyle.Radius = color.RGBA{150, 150, 150, 255}, draw.CrossGlyph{}, vg.Points(2)
		pl.Add(s)
		pl.Legend.Add("generated", s)
	}
	for c, name := range names {
		var xy plotter.XYs
		for i, q := range p.Real {
			if int(p.Labels[i]) == c {
				xy = append(xy, plotter.XY{X: q[0], Y: q[1]})
			}
		}
		if len(xy) == 0 {
			continue
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle.Color, s.GlyphStyle.Shape, s.GlyphStyle.Radius = seriesColors[c%len(seriesColors)], draw.CircleGlyph{}, vg.Points(1.6)
		pl.Add(s)
		pl.Legend.Add(name, s)
	}
	pl.Legend.Top, pl.Legend.Left = true, false
	return pl, nil
}
