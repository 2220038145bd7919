// Package engine sets up the machine a model computes on: it picks GoMLX's backend (XLA/PJRT with CUDA
// where there is an NVIDIA GPU, XLA's CPU plugin that `make setup` installs into .venv/pjrt/, or GoMLX's
// pure-Go backend as the fallback that needs nothing), says which in one line, and names the plugins and
// the memory settings the set-up uses.
//
// It is apart from the model because it is about this machine, not about the lesson: nothing here builds
// a graph, and the model's packages take whatever compute.Backend they are given.
package engine
