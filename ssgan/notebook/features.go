package notebook

import (
	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/report"
)

// Projections rebuilds each run in dirs from the notebook's pieces and the run's weights, and projects the
// discriminator's features of the test images (and, for a GAN run, of 500 generated images) on their first
// two principal components (report.ProjectFeatures). width is the number of features.
func Projections(p ssgan.Pieces, test *data.Images, dirs ...string) (projections []report.Projection, width int) {
	for _, dir := range dirs {
		m := Must(Must(ssgan.OpenCheckpoint(dir)).ModelWith(Backend(), p))
		real := Must(m.Features(test))
		width = len(real[0])
		var fake [][]float32
		if !m.Config.SupervisedOnly {
			fake = Must(m.GeneratedFeatures(500, 1))
		}
		projections = append(projections, Must(report.ProjectFeatures(real, test.Labels, ssgan.NumClasses, fake)))
	}
	return projections, width
}
