"""Per-cell wall times of an executed notebook (nbclient records when each cell started and finished).

    python3 ssgan/bench/notebook_times.py out/notebooks/solutions.executed.ipynb

Prints every code cell's seconds with its first line, the training cells' total (cells that train a run:
they print "training:"), and the whole notebook's total."""
import json
import sys
from datetime import datetime


def seconds(cell):
    ex = cell.get("metadata", {}).get("execution", {})
    start, end = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
    if not start or not end:
        return None
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
    return (parse(end) - parse(start)).total_seconds()


def main(path):
    nb = json.load(open(path))
    total = training = 0.0
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        s = seconds(cell)
        if s is None:
            continue
        text = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        first = "".join(cell["source"]).strip().splitlines()[0][:70] if cell["source"] else ""
        trains = any(line.startswith("training: ") for line in text.splitlines())
        total += s
        training += s if trains else 0
        print(f"{i:3d} {s:7.1f} s {'TRAIN ' if trains else '      '}{first}")
    print(f"training cells: {training:.0f} s ({training / 60:.1f} min); all cells: {total:.0f} s ({total / 60:.1f} min)")


if __name__ == "__main__":
    main(sys.argv[1])
