// Package run is a training run's folder: the name of every output (metrics.jsonl, config.json, the
// sample grids, the curves, the checkpoints, the confusion matrix), the lock that keeps a second run out,
// the metrics file written after each epoch and read back to resume or plot, and the Watcher interface
// that follows a run live.
//
// It knows nothing of GoMLX or of the model: ssgan.Train fills the folder through it, and the report,
// experiment and command-line packages read it back. Keeping every name here means a reader looking for
// "where does best.ssgan come from" finds one file (folder.go).
package run
