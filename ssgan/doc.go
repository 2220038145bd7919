// Package ssgan is the semi-supervised GAN of the course "Semi-supervised learning with GANs", in Go on
// GoMLX: an SVHN street-number classifier trained with only 1,000 labels.
//
// The discriminator is a classifier with an extra job. Besides the ten digits it must tell real images from
// the generator's; real images without a label still teach it through that second task, and the generator,
// trained to match the statistics of real images' features (feature matching), keeps supplying harder
// "fake" examples. Only the labelled images contribute to the supervised loss.
//
// # The packages: what the lesson teaches first, then what runs around it
//
//	ssgan/             the lesson's model (this package, 15 files): what a reader should meet first
//	ssgan/data/        data sets, label masks and batches (no GoMLX)
//	ssgan/presets/     named settings as JSON files (course, quick, quick-improved, mnist, smoke, svhn-paper)
//	ssgan/run/         a run's folder: every output's name, the lock, metrics.jsonl (no GoMLX)
//	ssgan/report/      figures and measures of a run: curves, sample grids, confusion, projections (gonum/plot)
//	ssgan/engine/      the machine: which backend (XLA CPU, CUDA, pure Go), its plugins, its memory settings
//	ssgan/experiment/  settings × seeds on one split, reported as mean ± sd
//	ssgan/lessoncheck/ the exercises' checks: shapes, values and gradients against the reference answers
//	ssgan/notebook/    what the notebooks need besides the model: set-up, data, panels, one-line errors
//	ssgan/cmd/ssgan/   the command-line tool (its README is its reference)
//	ssgan/bench/       the PyTorch twin, evidence scripts and recorded results (results/INDEX.md)
//
// Why the split: a newcomer opening ssgan/ should find the networks, losses, recipes and the training loop,
// not file names, locks, plots or plugin paths. Those sit in their own packages, which never import this
// one (except experiment, which runs it), so each can be read and tested alone.
//
// # This package, file by file
//
//   - config.go: TrainConfig and ModelConfig, DefaultConfig per data set, recipe and network family, the
//     learning rate as one function of the epoch (LearningRateAt), and Validate, which accepts exactly the
//     combinations that train, naming the flag of the first that does not.
//   - layers.go, upsample.go: graph blocks (convolution as im2col, dense, batch norm, dropout, leaky ReLU,
//     the noise samplers; the generator's three ways to double its resolution).
//   - networks.go: the course's conv discriminator and generator. paper.go: the paper's networks (the
//     MNIST MLPs, the SVHN conv nets, weight normalisation). pieces.go: Pieces, the parts the lesson's
//     exercises write (their reference answers are generated into pieces_gen.go), with the loss helpers
//     the answers use and the check of the variable split. adam.go: the reference's Adam.
//   - recipe.go: a recipe is one value that owns its compiled steps, weight averages, batch order and
//     first-epoch set-up. recipe_course.go (CourseRecipe.Step: both players at once on a batch with a label
//     mask) and recipe_improved.go (ImprovedRecipe.StepD then StepG: a labelled and two unlabelled batches
//     per step, averaged test weights). Model.Course and Model.Improved hand out the recipe, so a step of
//     one recipe cannot be called on a model of the other: the types say so.
//   - model.go: networks + recipe + store + compiled graphs; Predict, Probabilities, Generate, Accuracy,
//     ConfusionMatrix, Features, Reseed. train.go: Train runs any recipe, with one end-of-epoch path
//     (evaluation, then the run folder through package run and the figures through package report).
//     checkpoint.go: SaveCheckpoint and LoadCheckpoint, which rebuilds any model from its file.
//
// # One training step
//
// A step of the course's recipe: Train sets the epoch's learning rate (TrainConfig.LearningRateAt) and
// calls the epoch loop (CourseEpoch), which feeds each batch to the course recipe's Step; its compiled
// graph runs StepLosses (the discriminator on real images, the generator's images through the same
// discriminator, the lesson's exercises 1 to 5), then Pieces.Optimize (exercise 7) gives each player's
// Adam its own loss and the variables of its list (exercise 6). After the epoch, Train evaluates, writes
// metrics.jsonl, samples and a checkpoint. The improved recipe's epoch calls StepD then StepG instead.
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
//     report/samplestats.go for the measurement). All three are computed at the low resolution as a 3x3
//     convolution and depth-to-space, which trains on every GoMLX backend.
//
// Convolutions are written as im2col (strided slices and one matrix multiply), which is about ten times
// faster than GoMLX's native convolution on the pure-Go backend; on XLA, useNativeConv picks per layer.
package ssgan
