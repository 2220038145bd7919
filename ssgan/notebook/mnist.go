package notebook

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ssgan-go/ssgan-go/ssgan"
	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// MNIST is the MNIST notebook's data: the four official files in Dir.
type MNIST struct{ Dir string }

// MNISTIn returns the MNIST data of a notebook whose data folder is dataDir: dataDir/mnist, or the folder
// SSGAN_MNIST_DIR names (files you already have).
func MNISTIn(dataDir string) MNIST {
	if dir := os.Getenv("SSGAN_MNIST_DIR"); dir != "" {
		return MNIST{Dir: dir}
	}
	return MNIST{Dir: filepath.Join(dataDir, "mnist")}
}

// Fetch downloads whichever file is missing, checking each one's size and MD5, and says where to put the
// files when it cannot. It reports whether all four are there.
func (d MNIST) Fetch() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := data.EnsureMNIST(ctx, d.Dir, os.Stdout); err != nil {
		fmt.Println("Could not get MNIST:", err)
		fmt.Println("Put the four files in", d.Dir, "or set SSGAN_MNIST_DIR to where they are; the cells below need them.")
		return false
	}
	return true
}

// missing returns the first of the four files that is not in Dir, or "".
func (d MNIST) missing() string {
	for _, f := range data.MNISTFiles {
		if _, err := os.Stat(filepath.Join(d.Dir, f.Name)); err != nil {
			return f.Name
		}
	}
	return ""
}

// Load returns the training and test images; without the files it ends the cell with one sentence.
func (d MNIST) Load() (train, test *data.Images) {
	d.check()
	train, test, err := data.LoadMNIST(d.Dir)
	Check(err)
	return train, test
}

// Dataset loads the images and cuts them as opt says.
func (d MNIST) Dataset(opt data.DatasetOptions) *data.Dataset {
	d.check()
	return Must(data.LoadDataset(context.Background(), d.Dir, opt, false, nil))
}

// Check ends the cell with one sentence when the files are not there: the cells that only read the runs
// call it first, so without the data every cell after the data cell says the same thing.
func (d MNIST) Check() { d.check() }

func (d MNIST) check() {
	if name := d.missing(); name != "" {
		Check(fmt.Errorf("MNIST is not in %s (%s is missing): the data cell above says where to put the files", d.Dir, name))
	}
}

// MNISTConfig is the MNIST notebook's run: the paper's MNIST settings (ssgan.MNISTTrainConfig) for
// epochs epochs, with the GAN or on the labels alone. The project's tests train on 6,000 images only.
func MNISTConfig(epochs int, supervisedOnly bool) ssgan.TrainConfig {
	cfg := ssgan.MNISTTrainConfig()
	cfg.Epochs, cfg.SupervisedOnly = epochs, supervisedOnly
	if Smoke() {
		cfg.Data.MaxTrain, cfg.Data.MaxTest = 6000, 1000
	}
	return cfg
}

// MNISTEpochs is the MNIST notebook's budget: SSGAN_MNIST_EPOCHS if set, else 4 epochs of 600 steps,
// enough for the lift to show (1 in the project's tests).
func MNISTEpochs() int {
	if v, err := strconv.Atoi(os.Getenv("SSGAN_MNIST_EPOCHS")); err == nil && v > 0 {
		return v
	}
	if Smoke() {
		return 1
	}
	return 4
}
