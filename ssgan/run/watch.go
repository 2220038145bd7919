package run

// Watcher follows a training run while it trains: a notebook's live panel (ssgan/notebook.Panel) is one.
// Train calls it from its own goroutine, between steps. A run without one (RunOptions.Watch nil) builds
// nothing for it: no picture is encoded and no time is taken per step.
type Watcher interface {
	// Start: the run is about to train epochs info.FirstEpoch..info.Epochs.
	Start(info Info)
	// Step: step steps of the epoch's run.StepsPerEpoch are done.
	Step(epoch, step int)
	// Epoch: an epoch ended. history holds every epoch so far (a resumed run's earlier ones too); samples
	// is the epoch's sample grid as PNG, nil when it drew none.
	Epoch(history []EpochMetrics, samples []byte)
	// End: the run stopped, after its last epoch (err nil), interrupted (err is the context's) or failed.
	// history holds every finished epoch.
	End(history []EpochMetrics, err error)
}

// Info is what a Watcher learns when a run starts.
type Info struct {
	FirstEpoch, Epochs int
	StepsPerEpoch      int
	Dropout            bool // The train accuracy is measured with dropout on (LearningCurves' legend says so).
	SupervisedOnly     bool // No generator: no samples and no generator loss.
}
