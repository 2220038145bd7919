// Package data holds the data sets of the ssgan course, with no machine-learning code. One image type,
// Images, carries its Shape (SVHN's 32x32x3, MNIST's 28x28x1) and raw bytes: SVHN's MATLAB files
// (ReadMat, WriteMat, LoadSVHN, SaveSVHN), MNIST's IDX files (ReadIDX, LoadMNIST), their downloads
// (Downloader, EnsureSVHN, EnsureMNIST: progress bar, size and MD5 checked, temporary file renamed into
// place), a folder of your own images in any number of classes (LoadFolder: train/<class>/, unlabelled/,
// optional test/ and valid/; WriteFolder writes one), generated digits for tests and speed runs
// (SyntheticDigits). LoadDataset turns any of them into
// the lesson's Dataset: the split, the label mask of the few "known" labels, and shuffled batches scaled
// into the range a network reads (Range).
//
// Files are written atomically (WriteFileAtomic): an interrupted write leaves the old file or none,
// never half of one.
package data
