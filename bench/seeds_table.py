"""Mean and spread over seeds of bench/accuracy.py results.

    python bench/seeds_table.py /tmp/seeds/ours_s0 /tmp/seeds/ours_s1 ... [--split dev]

Each argument is an --out directory of bench/accuracy.py (one seed each),
optionally prefixed LABEL= (e.g. v2=/tmp/v2/s0). Rows are grouped by
contender name plus that label, so one contender run with two settings stays
apart. Prints a Markdown table: per metric the mean, the
sample standard deviation and the number of seeds.
"""
import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path

from accuracy import TASKS  # bench/ is on sys.path when this script runs

# Score key -> column name, in bench/accuracy.py's order, over all tasks.
NAMES = {key: name for _, metrics, _ in TASKS.values() for key, name in metrics}


def percents(rows, key):
    """The key's scores of the rows (one per seed) as percentages; missing ones left out."""
    return [100 * r[key] for r in rows if r.get(key) is not None]


def mean_sd(values):
    """Mean and sample standard deviation (0.0 for one value)."""
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dirs", nargs="+", help="DIR or LABEL=DIR")
    p.add_argument("--split", default="dev", help="dev, or test:FILENAME")
    args = p.parse_args()
    groups = defaultdict(list)
    tasks = {}
    for item in args.dirs:
        label, _, path = item.rpartition("=")
        results = json.loads((Path(path) / "results.json").read_text(encoding="utf8"))
        tasks[path] = results["args"].get("task", "ud")
        if len(set(tasks.values())) > 1:
            p.error(f"results of different tasks cannot share a table: {tasks}")
        for name, row in results["contenders"].items():
            groups[f"{name} {label}".strip()].append(row[args.split])
    keys = [k for k in NAMES if any(k in rows[0] for rows in groups.values())]
    print("| contender | seeds | " + " | ".join(NAMES[k] for k in keys) + " |")
    print("|---|---:|" + "---:|" * len(keys))
    for group, rows in groups.items():
        cells = []
        for k in keys:
            values = percents(rows, k)
            cells.append("{:.1f} ± {:.1f}".format(*mean_sd(values)) if values else "-")
        print(f"| {group} | {len(rows)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
