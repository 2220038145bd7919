// Package ssgan is the semi-supervised GAN of the course "Semi-supervised learning with GANs", in Go on
// GoMLX: an SVHN street-number classifier trained with only 1,000 labels.
//
// The discriminator is a classifier with an extra job. Besides the ten digits it must tell real images from
// the generator's; real images without a label still teach it through that second task, and the generator,
// trained to match the statistics of real images' features (feature matching), keeps supplying harder
// "fake" examples. Only the labelled images contribute to the supervised loss.
//
// # Pieces
//
//   - Data: package ssgan/data (no GoMLX): SVHN's .mat files and MNIST's IDX files, their downloads, generated
//     digits for tests and speed runs, the split, the label mask and the batches.
//   - Model: Generator and Discriminator (the course's architecture), GANLogit, DiscriminatorLoss and
//     GeneratorLoss. Pieces bundles the parts the lesson's exercises write, so other implementations plug in.
//   - The improved recipe (Salimans et al. 2016) on MNIST: MLPDiscriminator and MLPGenerator (weight
//     normalisation, Gaussian noise), NewMLPModel and TrainMLP (improved.go says what differs and why);
//     on SVHN with the course's networks: NewConvImprovedModel and TrainConvImproved (improved_conv.go).
//   - Training: NewModel compiles one simultaneous step for the two Adam players; Train runs epochs and
//     writes metrics.jsonl, samples_NNN.png, learning_curves.png and a checkpoint (LoadModel reads it).
//   - Backends: NewBackend picks XLA/PJRT (CUDA where there is a GPU, else the CPU plugin that the set-up
//     installs into .venv/pjrt/) or falls back to GoMLX's pure-Go backend, and says which in one line.
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
