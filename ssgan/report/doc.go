// Package report draws and measures what a run produced, for people to read: sample grids, learning
// curves, confusion matrices, the discriminator's features projected onto two axes, and two statistics
// of a sample grid (how smooth, how varied). It is the only package of the model's side that imports
// gonum/plot.
//
// Nothing here trains or builds a graph: it takes numbers (a run's metrics, counts, pixels, feature rows)
// and returns PNG bytes or numbers, so it is tested without a backend, and ssgan.Train only calls it.
package report
