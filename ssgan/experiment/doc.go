// Package experiment trains several settings over several seeds on one data set and reports each
// setting's final test accuracy as mean ± sd, with every run's curve (the CLI's `ssgan experiment`, and
// the recorded comparisons in ssgan/bench/results/). A report is JSON, Markdown and a PNG; reports of
// separate invocations merge into one.
package experiment
