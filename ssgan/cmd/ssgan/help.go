package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagGroups sorts every flag of every command by purpose, in the order -h prints the groups.
var flagGroups = []struct {
	name  string
	flags []string
}{
	{"data", []string{"data", "dataset", "data_dir", "data_file", "synthetic", "no_download", "labels", "first_labels",
		"max_train", "max_test", "pool", "hold_out", "image_size", "grey", "skip_bad_images", "max_pixels"}},
	{"model", []string{"model", "d_size", "g_size", "extra_class", "upsample", "drop", "input_drop", "init_stddev"}},
	{"training", []string{"preset", "recipe", "supervised_only", "epochs", "batch", "lr", "lr_ramp_down", "adam_epsilon", "seed", "seeds", "configs",
		"unlabelled_weight", "ema_decay", "bn_batches", "steps"}},
	{"output and runs", []string{"out", "force", "resume", "merge", "split_only", "ckpt", "confusion", "json"}},
}

// printGroupedFlags writes fs's flags under the headings of flagGroups (a flag in none of them under
// "other"), each with its description and default.
func printGroupedFlags(w io.Writer, fs *flag.FlagSet) {
	group := map[string]string{}
	for _, g := range flagGroups {
		for _, f := range g.flags {
			group[f] = g.name
		}
	}
	byGroup := map[string][]*flag.Flag{}
	fs.VisitAll(func(f *flag.Flag) {
		g := group[f.Name]
		if g == "" {
			g = "other"
		}
		byGroup[g] = append(byGroup[g], f)
	})
	names := []string{}
	for _, g := range flagGroups {
		names = append(names, g.name)
	}
	for _, g := range append(names, "other") {
		if len(byGroup[g]) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", g)
		for _, f := range byGroup[g] {
			kind, usage := flag.UnquoteUsage(f)
			line := "  -" + f.Name
			if kind != "" {
				line += " " + kind
			}
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				usage += fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(w, "%s\n      %s\n", line, strings.ReplaceAll(usage, "\n", "\n      "))
		}
	}
}
