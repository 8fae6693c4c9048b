"""Mean and spread over seeds of bench/accuracy.py results.

    python bench/seeds_table.py /tmp/seeds/ours_s0 /tmp/seeds/ours_s1 ... [--split dev]

Each argument is an --out directory of bench/accuracy.py (one seed each).
Rows are grouped by contender name plus a label taken from --label NAME=DIR
prefixes when given (e.g. v2=/tmp/v2/s0), so one contender run with two
settings stays apart. Prints a Markdown table: per metric the mean, the
sample standard deviation and the number of seeds.
"""
import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path

NAMES = {"tag_acc": "TAG", "pos_acc": "UPOS", "morph_acc": "Morph", "lemma_acc": "Lemma", "dep_uas": "UAS",
         "dep_las": "LAS", "ents_p": "P", "ents_r": "R", "ents_f": "F", "cats_macro_p": "macro P",
         "cats_macro_r": "macro R", "cats_macro_f": "macro F1", "cats_macro_auc": "macro AUC"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dirs", nargs="+", help="DIR or LABEL=DIR")
    p.add_argument("--split", default="dev", help="dev, or test:FILENAME")
    args = p.parse_args()
    groups = defaultdict(list)
    for item in args.dirs:
        label, _, path = item.rpartition("=")
        results = json.loads((Path(path) / "results.json").read_text(encoding="utf8"))
        for name, row in results["contenders"].items():
            groups[f"{name} {label}".strip()].append(row[args.split])
    keys = [k for k in NAMES if any(k in rows[0] for rows in groups.values())]
    print("| contender | seeds | " + " | ".join(NAMES[k] for k in keys) + " |")
    print("|---|---:|" + "---:|" * len(keys))
    for group, rows in groups.items():
        cells = []
        for k in keys:
            values = [100 * r[k] for r in rows if r.get(k) is not None]
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            cells.append(f"{statistics.mean(values):.1f} ± {sd:.1f}" if values else "-")
        print(f"| {group} | {len(rows)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
