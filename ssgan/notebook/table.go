package notebook

import (
	"fmt"
	"path/filepath"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/experiment"
)

// SettingsTable prints the lesson's settings beside the course's: this run's course procedure (this) and
// the paper's procedure (paper), a reason wherever they depart from the course, the accuracy to expect
// from the course and from our recorded runs of the quick setting (in the folder results: notebooks/recorded), and two
// reference points on ds's test set: chance, and always answering its most common digit.
func SettingsTable(this, paper ssgan.TrainConfig, ds *data.Dataset, synthetic bool, results string) {
	course := ssgan.DefaultTrainConfig()
	row := func(what, courseValue, thisValue, paperValue, why string) {
		if thisValue == courseValue && paperValue == courseValue {
			why = "" // Said only where this run departs from the course.
		}
		fmt.Printf("%-24s %-26s %-22s %-22s %s\n", what, courseValue, thisValue, paperValue, why)
	}
	pair := func(a, b int) string { return fmt.Sprintf("%d, %d", a, b) }
	fmt.Println()
	row("", "the course", "course's procedure", "paper's procedure", "why it differs")
	labelled := fmt.Sprintf("%s (%s labelled)", withCommas(ds.Train.Len()), withCommas(len(ds.Labelled())))
	why := "a CPU trains a few thousand in minutes"
	if Smoke() {
		why = "the project's tests only prove that every cell runs"
	}
	row("training images", "73,257 (1,000 labelled)", labelled, labelled, why)
	// A convolution's weights grow with the square of the width.
	share := func(d int) string {
		return fmt.Sprintf("1/%.0f", float64(course.Model.DSize*course.Model.DSize)/float64(d*d))
	}
	row("network widths d, g", pair(course.Model.DSize, course.Model.GSize), pair(this.Model.DSize, this.Model.GSize),
		pair(paper.Model.DSize, paper.Model.GSize), fmt.Sprintf("narrower: %s and %s of the discriminator's weights",
			share(this.Model.DSize), share(paper.Model.DSize)))
	steps := func(c ssgan.TrainConfig) int { return c.Epochs * (ds.Train.Len() / c.BatchSize) }
	row("batch, epochs", pair(course.BatchSize, course.Epochs), pair(this.BatchSize, this.Epochs), pair(paper.BatchSize, paper.Epochs),
		fmt.Sprintf("smaller batches; about %s and %s steps against the course's %s",
			withCommas(steps(this)), withCommas(steps(paper)), withCommas(course.Epochs*((data.SVHNTrainSize+127)/128))))
	drop := func(c ssgan.TrainConfig) string { return fmt.Sprintf("%g / %g", c.Model.InputDrop, c.Model.Drop) }
	row("dropout", drop(course), drop(this), drop(paper), "off in every recorded run")
	fmt.Println()
	recorded := func(file, config string) string { return recordedRun(results, file, config) }
	switch {
	case Smoke():
		fmt.Println("expected test accuracy: none (the project's tests only prove that every cell runs)")
	case synthetic:
		fmt.Println("expected test accuracy: none recorded for generated digits (offline). The cells below print what this run")
		fmt.Println("reaches; on digits this clean it says little about house numbers. Re-run online for real SVHN.")
	case this.Epochs != course.Epochs:
		fmt.Printf("%-24s %-26s %s\n", "expected test accuracy", "peak about 70% (the course", "course's procedure, GAN: "+recorded("notebook_quick_course.json", "ssgan"))
		fmt.Printf("%-24s %-26s %s\n", "", "reports, with its bugs)", "course's procedure, labels alone: "+recorded("notebook_quick_course.json", "supervised_only"))
		fmt.Printf("%-24s %-26s %s\n", "", "", "paper's procedure, GAN: "+recorded("notebook_quick_improved.json", "ssgan"))
		fmt.Printf("%-24s %-26s %s\n", "", "", "paper's procedure, labels alone: "+recorded("notebook_quick_improved.json", "supervised_only"))
	default:
		fmt.Println("expected test accuracy: a peak of about 70% (the course reports, with its bugs; ours are final-epoch); this notebook's course setting is not yet recorded")
	}
	counts := make([]int, ssgan.NumClasses)
	for _, l := range ds.Test.Labels {
		counts[l]++
	}
	most := 0
	for d, c := range counts {
		if c > counts[most] {
			most = d
		}
	}
	fmt.Printf("reference points: guessing at random scores %.0f%%; always answering the most common digit (%d) scores %.1f%% of the %s test images\n",
		100/float64(ssgan.NumClasses), most, 100*float64(counts[most])/float64(ds.Test.Len()), withCommas(ds.Test.Len()))
}

// recordedRun returns "mean% ± sd" and its source for one configuration of a recorded experiment
// (written by ssgan experiment) in dir, or why there is none. The source is named from the notebooks'
// folder (recorded/<file>).
func recordedRun(dir, file, config string) string {
	name := filepath.Join(filepath.Base(dir), file)
	rep, err := experiment.ReadReport(filepath.Join(dir, file))
	if err != nil {
		return "no recorded run: " + err.Error()
	}
	for _, sum := range rep.Summaries {
		if sum.Config == config {
			return fmt.Sprintf("%.1f%% ± %.1f (%d seeds, %s)", 100*sum.FinalTestMean, 100*sum.FinalTestSD, sum.Runs, name)
		}
	}
	return "no " + config + " run in " + name
}

// withCommas writes n with a comma between thousands (1,000).
func withCommas(n int) string {
	if n < 1000 {
		return fmt.Sprint(n)
	}
	return withCommas(n/1000) + fmt.Sprintf(",%03d", n%1000)
}

// SettingLine states a configuration in the words the training cell uses for what actually ran.
func SettingLine(cfg ssgan.TrainConfig) string {
	source := "SVHN"
	if cfg.Data.Synthetic {
		source = "generated digits"
	}
	dropout := "dropout off"
	if cfg.Model.HasDropout() {
		dropout = fmt.Sprintf("dropout %g/%g", cfg.Model.InputDrop, cfg.Model.Drop)
	}
	return fmt.Sprintf("%s; %d labelled; d_size %d; g_size %d; %s; extra_class %v; batch %d; %d epochs",
		source, cfg.Data.Labels, cfg.Model.DSize, cfg.Model.GSize, dropout, cfg.Model.ExtraClass, cfg.BatchSize, cfg.Epochs)
}
