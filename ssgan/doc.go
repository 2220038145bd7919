// Package ssgan is the semi-supervised GAN of the course "Semi-supervised learning with GANs", in Go on
// GoMLX: an SVHN street-number classifier trained with only 1,000 labels.
//
// The discriminator is a classifier with an extra job. Besides the ten digits it must tell real images from
// the generator's; real images without a label still teach it through that second task, and the generator,
// trained to match the statistics of real images' features (feature matching), keeps supplying harder
// "fake" examples. Only the labelled images contribute to the supervised loss.
//
// # The shape of the package
//
// Choices are values; one path runs them all.
//
//   - Configuration (config.go): TrainConfig and ModelConfig, DefaultConfig per data set, recipe and
//     network family, and Validate, which accepts exactly the combinations that train.
//   - Data: package ssgan/data (no GoMLX). One image type, data.Images, carries its shape (32x32x3 for
//     SVHN, 28x28x1 for MNIST); SVHN's .mat files, MNIST's IDX files, generated digits and a folder of
//     your own images all become one data.Dataset (split, label mask, batches, class names).
//   - Classes: the digits' ten, or any K of a folder (ModelConfig.Classes, kept in the checkpoint); the
//     class layer has K logits (K+1 with the extra "fake" class) and every metric and plot follows.
//   - Networks (networks.go, mlp.go): the course's conv discriminator and generator, and the improved
//     recipe's MLPs, each built for the image shape it is given. Pieces bundles the parts the lesson's
//     exercises write, so other implementations plug in.
//   - Recipes: the course's (recipe_course.go: one simultaneous step of both players on a batch with a
//     label mask) and the improved one of Salimans et al. 2016 (recipe_improved.go: a labelled and two
//     unlabelled batches per step, the players in turn, averaged test weights).
//   - Model (model.go): networks + recipe + store + compiled graphs; Predict, Probabilities, Generate,
//     Reseed. Train (train.go) runs any recipe, with one end-of-epoch path: evaluation, metrics.jsonl,
//     samples, curves, checkpoint.ssgan, best.ssgan, confusion.png, OnEpoch. LoadCheckpoint
//     (checkpoint.go) rebuilds any model from its checkpoint.
//   - Backends: NewBackend picks XLA/PJRT (CUDA where there is a GPU, else the CPU plugin that the set-up
//     installs into .venv/pjrt/, else, unless GOMLX_NO_AUTO_INSTALL is set, a plugin GoMLX downloads) or
//     falls back to GoMLX's pure-Go backend, and says which in one line.
//
// # The packages, and one training step
//
//	ssgan/            the lesson's model: networks, losses, recipes, Model, Train (this package)
//	ssgan/data/       data sets, label masks and batches (no GoMLX)
//	ssgan/presets/    named settings as JSON files (course, quick, quick-improved, mnist, smoke)
//	ssgan/lessoncheck/ the exercises' checks: shapes, values and gradients against the reference answers
//	ssgan/notebook/   what the notebooks need besides the model: set-up, data, panels, one-line errors
//	ssgan/cmd/ssgan/  the command-line tool (its README is its reference)
//	ssgan/bench/      the PyTorch twin, evidence scripts and recorded results (results/INDEX.md)
//
// A step of the course's recipe: Train sets the epoch's learning rate (TrainConfig.LearningRateAt) and
// calls the epoch loop (CourseEpoch), which feeds each batch to Model.CourseStep; its compiled graph runs
// StepLosses (the discriminator on real images, the generator's images through the same discriminator,
// the lesson's exercises 1 to 5), then Pieces.Optimize (exercise 7) gives each player's Adam its own loss
// and the variables of its list (exercise 6). After the epoch, Train evaluates, writes metrics.jsonl,
// samples and a checkpoint. The improved recipe's epoch (recipe_improved.go) calls StepD then StepG instead.
//
// # Where we differ from the course's notebook, and why
//
//   - Label 10 means the digit 0 in SVHN's files; the notebook never maps it, so it never learns zeros. We map it.
//   - The notebook's dropout has no training flag and never drops anything; ours is active in training only.
//   - The notebook computes a batch normalisation after the second convolution and then ignores it; we use it.
//   - The notebook always normalises with the batch's statistics, so a test prediction depends on the rest of
//     its batch. We keep statistics of real images only and recompute them after each epoch with the current
//     weights ("precise BN"), so a prediction depends on its image alone.
//   - The notebook labels the first 1,000 training images (unbalanced); we draw 100 per class with a seed,
//     and keep the course's choice as an option.
//   - The notebook's batches method reads a global instead of its own data; ours is a plain function.
//   - The generator doubles its resolution by nearest-neighbour upsampling and a 3x3 convolution
//     ("resize-convolution") instead of the course's 5x5 stride-2 transposed convolutions, which stay
//     available exactly (ModelConfig.Upsample). Why: a generator whose neighbouring output pixels come
//     from unrelated kernel weights (our earlier free sub-pixel convolution, and to a lesser degree the
//     transposed one) locked into one high-frequency texture for every z, because feature matching on
//     globally pooled features barely penalises a texture; resize-convolution computes all four pixels of
//     each 2x2 cell from one kernel, so it starts smooth and stays close to images (see upsample.go and
//     samplestats.go for the measurement). All three are computed at the low resolution as a 3x3
//     convolution and depth-to-space, which trains on every GoMLX backend.
//
// Convolutions are written as im2col (strided slices and one matrix multiply), which is about ten times
// faster than GoMLX's native convolution on the pure-Go backend; on XLA, useNativeConv picks per layer.
package ssgan
