"""Prints ssgan-go's experiment.json and the PyTorch twin's twin.json side by side, with the ratios
(our time / twin time per step; our accuracy - twin accuracy), as a markdown table."""
import json
import statistics
import sys


def summarize(runs):
    out = {}
    for r in runs:
        last = r["history"][-1]
        s = out.setdefault(r["config"], {"acc": [], "step": []})
        s["acc"].append(last["test_acc"])
        # The last epoch's time per step: steady state, after any compilation in the first epoch (as
        # experiment.md reports it).
        s["step"].append(last["step_seconds"])
    return out


def short(backend):
    """'xla:/path - PJRT plugin (...) v0.106 ...' -> 'XLA CPU'; 'Go Portable Compute Backend' -> 'pure Go'."""
    b = backend.lower()
    if b.startswith("xla"):
        return "XLA CUDA" if "cuda" in b else "XLA CPU"
    return "pure Go" if b.startswith("go") else backend


def fmt(accs):
    m = statistics.mean(accs)
    sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
    return f"{100 * m:.1f}% ± {100 * sd:.1f}"


# Arguments: one or more ssgan-go experiment.json files (one per backend), then the twin's twin.json.
*go_paths, twin_path = sys.argv[1:]
twin = json.load(open(twin_path))
ts = summarize(twin["runs"])
print(f"PyTorch twin: {twin['backend']}  ")
gos = [json.load(open(p)) for p in go_paths]
for go in gos:
    print(f"ssgan-go: {go['backend']}  ")
print()
print("| configuration | backend | test acc | twin test acc | difference (points) | s/step | twin s/step | time ratio (ours / twin) |")
print("|---|---|---|---|---|---|---|---|")
for go in gos:
    gs = summarize(go["runs"])
    name = short(go["backend"])
    for config in gs:
        if config not in ts:
            continue
        g, t = gs[config], ts[config]
        diff = 100 * (statistics.mean(g["acc"]) - statistics.mean(t["acc"]))
        gstep, tstep = statistics.mean(g["step"]), statistics.mean(t["step"])
        print(f"| {config} | {name} | {fmt(g['acc'])} | {fmt(t['acc'])} | {diff:+.1f} | {gstep:.3f} | {tstep:.3f} | {gstep / tstep:.2f} |")
