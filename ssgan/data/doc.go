// Package data holds the data sets of the ssgan course, with no machine-learning code: SVHN's MATLAB
// files (ReadMat, WriteMat, LoadSVHN, SaveSVHN), MNIST's IDX files (ReadIDX, LoadMNIST, and PadToSVHN for
// the course's convolutional networks), their downloads (Downloader, EnsureSVHN, EnsureMNIST: progress
// bar, size and MD5 checked, temporary file renamed into place), generated digits for tests and speed runs
// (SyntheticDigits), and the lesson's Dataset: the split, the label mask of the few "known" labels, and
// shuffled batches scaled to [-1, 1].
//
// Files are written atomically (WriteFileAtomic): an interrupted write leaves the old file or none,
// never half of one.
package data
