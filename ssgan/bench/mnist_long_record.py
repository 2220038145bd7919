#!/usr/bin/env python3
"""Record finished MNIST-100 long runs (mnist_long.sh) in ssgan/bench/results/.

    python3 ssgan/bench/mnist_long_record.py RUN_DIR [RUN_DIR ...]

For each run folder whose metrics.jsonl holds every epoch of its config.json's budget, copies the
metrics (mnist_300epochs_seedS_metrics.jsonl), the learning curves and the last sample grid, then writes
mnist_300epochs.md: each seed's test accuracy at chosen epochs, its best and its last ten epochs' mean, and
the mean and standard deviation of the final accuracy over the finished seeds beside the paper's number.
A run that has not finished is not a result: it is named below the table with the epoch it reached, and
left out of the table and the mean.
"""
import json
import os
import shutil
import platform
import statistics
import subprocess
import sys

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "accuracy")
MARKS = [1, 10, 20, 50, 100, 150, 200, 250, 300]


def load(run):
    with open(os.path.join(run, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(run, "metrics.jsonl")) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return cfg, rows


def main(runs):
    finished, lines, unfinished = [], [], []
    head = "| seed | epochs | " + " | ".join(f"ep {m}" for m in MARKS) + " | best (epoch) | last 10 mean | s/epoch |"
    lines += [head, "|" + "---|" * (head.count("|") - 1)]
    for run in runs:
        cfg, rows = load(run)
        if not rows:
            print(f"{run}: no finished epoch yet, left out", file=sys.stderr)
            continue
        seed, budget = cfg["Seed"], cfg["Epochs"]
        acc = {r["epoch"]: r["test_acc"] for r in rows}
        done = len(rows) == budget and sorted(acc) == list(range(1, budget + 1))
        best = max(rows, key=lambda r: r["test_acc"])
        last10 = statistics.mean(r["test_acc"] for r in rows[-10:])
        secs = statistics.median(r["epoch_seconds"] for r in rows)
        cells = [f"{100 * acc[m]:.2f}" if m in acc else "" for m in MARKS]
        if not done:
            unfinished.append(f"seed {seed} had finished {len(rows)} of {budget} epochs")
            continue
        lines.append(f"| {seed} | {len(rows)} | " + " | ".join(cells) +
                     f" | {100 * best['test_acc']:.2f} ({best['epoch']}) | {100 * last10:.2f} | {secs:.0f} |")
        finished.append(acc[budget])
        stem = f"mnist_300epochs_seed{seed}"
        shutil.copy(os.path.join(run, "metrics.jsonl"), os.path.join(RESULTS, stem + "_metrics.jsonl"))
        shutil.copy(os.path.join(run, "learning_curves.png"), os.path.join(RESULTS, stem + "_curves.png"))
        shutil.copy(os.path.join(run, f"samples_{budget:03d}.png"), os.path.join(RESULTS, stem + "_samples.png"))
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
                   if l.startswith("Model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    if finished:
        mean = 100 * statistics.mean(finished)
        sd = 100 * statistics.stdev(finished) if len(finished) > 1 else float("nan")
        summary = (f"Final test accuracy over the {len(finished)} finished seed(s): **{mean:.2f}%"
                   + (f" ± {sd:.2f}**" if len(finished) > 1 else "** (one seed: no spread)")
                   + "; the paper: 99.07% (0.93% ± 0.065 error over 10 runs).")
    else:
        summary = "No run has finished its budget yet."
    with open(os.path.join(RESULTS, "mnist_300epochs.md"), "w") as f:
        f.write("# MNIST, 100 labels, the paper's procedure and MLPs, 300 epochs\n\n")
        f.write("`ssgan/bench/mnist_long.sh BINARY OUT SEED` (resumable), recorded with\n"
                "`python3 ssgan/bench/mnist_long_record.py OUT...`. Test accuracy (%) of the averaged weights\n"
                "on MNIST's 10,000 test images after the epochs named (the final epoch's, never the best, is the result;\n"
                f"s/epoch: the median, recorded on {cpu}, {os.cpu_count()} cores, XLA CPU):\n\n")
        f.write("\n".join(lines) + "\n\n" + summary + "\n")
        if unfinished:
            f.write("\nNot results (unfinished when recorded): " + "; ".join(unfinished) + ".\n")
    print(summary)


if __name__ == "__main__":
    main(sys.argv[1:])
