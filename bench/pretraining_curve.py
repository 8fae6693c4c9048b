"""Accuracy against the amount of pretraining, over seeds, as a table and a picture.

    python bench/pretraining_curve.py 1=/tmp/ner/ep1_s0 1=/tmp/ner/ep1_s1 4=/tmp/ner/ep4_s0 ... \\
        --baseline /tmp/ner/md_s0 --baseline /tmp/ner/md_s1 --xlabel "pretraining epochs" --png curve.png

Each positional argument is X=DIR or SERIES:X=DIR: X a number (pretraining
epochs, or words of raw text) and DIR an --out directory of bench/accuracy.py
with one seed of 'ours' trained from the weights pretrained that much; SERIES
names a curve when there are several (e.g. two ways of pretraining).
--baseline DIR (any number of seeds of one other contender, e.g.
calamancy_md) draws its mean as a line (--baseline-contender names it where
a directory holds several). --metric picks the score (default: the task's
headline score, e.g. ents_f for ner, dep_las for ud). Prints a Markdown table (per X: seeds, the
values, mean ± sample standard deviation) and, with --png, writes the
picture (matplotlib, a bench-only dependency).
"""
import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Optional

from accuracy import TASKS  # bench/ is on sys.path when this script runs
from seeds_table import mean_sd, percents


def _read(path: str, contender: Optional[str] = None):
    """(task, contender name, dev scores) of one bench/accuracy.py --out directory."""
    file = Path(path) / "results.json"
    if not file.is_file():
        raise SystemExit(f"{file}: not found (expected a bench/accuracy.py --out directory)")
    results = json.loads(file.read_text(encoding="utf8"))
    rows = results["contenders"]
    if contender is None:
        if len(rows) != 1:
            raise SystemExit(f"{file}: {len(rows)} contenders ({', '.join(rows)}); expected one per directory")
        contender = next(iter(rows))
    if contender not in rows:
        raise SystemExit(f"{file}: no contender {contender!r} (has {', '.join(rows)})")
    return results["args"].get("task", "ud"), contender, rows[contender]["dev"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("points", nargs="+", help="X=DIR or SERIES:X=DIR: X a number, DIR a bench/accuracy.py --out directory ('ours')")
    p.add_argument("--baseline", action="append", default=[], help="DIR of one seed of a reference contender")
    p.add_argument("--baseline-contender", default=None,
                   help="which contender of the --baseline directories (default: their only one)")
    p.add_argument("--metric", default=None, help="score key (default: the task's headline score)")
    p.add_argument("--xlabel", default="pretraining epochs", help="what X counts")
    p.add_argument("--png", default=None, help="write the picture here")
    args = p.parse_args()

    curves = defaultdict(lambda: defaultdict(list))  # series -> X -> dev scores of each seed
    tasks = set()
    for item in args.points:
        head, sep, path = item.partition("=")
        series, _, x = head.rpartition(":")
        try:
            x_value = float(x)
        except ValueError:
            x_value = None
        if not sep or x_value is None:
            p.error(f"{item!r}: expected X=DIR or SERIES:X=DIR with X a number, e.g. 4=/tmp/ner/ep4_s0")
        task, _, dev = _read(path, "ours")
        tasks.add(task)
        curves[series or "ours"][x_value].append(dev)
    baseline_name, baseline = None, []
    for path in args.baseline:
        task, name, dev = _read(path, args.baseline_contender)
        tasks.add(task)
        if baseline_name not in (None, name):
            p.error(f"--baseline directories hold different contenders: {baseline_name} and {name}")
        baseline_name = name
        baseline.append(dev)
    if len(tasks) > 1:
        p.error(f"results of different tasks cannot share a curve: {sorted(tasks)}")
    task = tasks.pop()
    key = args.metric or TASKS[task][2]

    def values(rows):
        found = percents(rows, key)
        if not found:
            p.error(f"no {key!r} scores (task {task}); pick one with --metric")
        return found

    lines = [f"| series | {args.xlabel} | seeds | {key} per seed | mean ± sd |", "|---|---:|---:|---|---:|"]
    points = {}  # series -> [(X, values, mean, sd)]
    for series, curve in curves.items():
        for x in sorted(curve):
            vals = values(curve[x])
            mean, sd = mean_sd(vals)
            points.setdefault(series, []).append((x, vals, mean, sd))
            lines.append(f"| {series} | {x:g} | {len(vals)} | {' / '.join(f'{v:.1f}' for v in vals)} "
                         f"| {mean:.2f} ± {sd:.2f} |")
    if baseline:
        vals = values(baseline)
        base_mean, base_sd = mean_sd(vals)
        lines.append(f"| {baseline_name} | | {len(vals)} | {' / '.join(f'{v:.1f}' for v in vals)} "
                     f"| {base_mean:.2f} ± {base_sd:.2f} |")
    print("\n".join(lines))
    if not args.png:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    colours = ["tab:blue", "tab:green", "tab:red", "tab:purple", "tab:brown"]
    for i, (series, rows) in enumerate(points.items()):
        colour = colours[i % len(colours)]
        for x, vals, _, _ in rows:
            ax.scatter([x] * len(vals), vals, color=colour, alpha=0.35, s=14)
        ax.errorbar([r[0] for r in rows], [r[2] for r in rows], yerr=[r[3] for r in rows], marker="o",
                    capsize=3, color=colour, label=f"{series} (mean ± sd; dots: seeds)")
    if baseline:
        ax.axhline(base_mean, color="tab:orange", label=f"{baseline_name} ({len(baseline)} seeds)")
        ax.axhspan(base_mean - base_sd, base_mean + base_sd, color="tab:orange", alpha=0.12)
    ax.set_xlabel(args.xlabel)
    ax.set_ylabel(f"dev {key} (%)")
    ax.set_title(f"{task}: accuracy by amount of pretraining")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(args.png, dpi=120)
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
