"""Write the current results tables of docs/benchmarks.md from bench/results/*.json.

    python bench/tables.py                 # rewrite the tables in docs/benchmarks.md
    python bench/tables.py --check         # exit 1 if docs/benchmarks.md is not what the JSON gives
    python bench/tables.py --add bench/results/ud.json --label "ours, ..." OUT_S0 OUT_S1 ...

Each results file is one table (one task): its title, split, command, the
CPU it ran on, and per contender the scores of each seed. The table gives,
per contender, the number of seeds and each metric's mean ± sample standard
deviation (the per-seed values in a last column), so a figure is stated once,
here, and the README links to it. In docs/benchmarks.md a table stands between
``<!-- table:NAME -->`` and ``<!-- /table:NAME -->`` (NAME: the file's stem);
everything outside the markers is left alone.

``--add FILE --label LABEL DIR...`` appends (or replaces) one contender
from bench/accuracy.py --out directories (one seed each), reading their
``results.json``.
"""
import argparse
import json
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"


def mean_sd(values):
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def render(name: str, table: dict) -> str:
    """One results file as Markdown (without the markers)."""
    metrics = table["metrics"]
    lines = [f"**{table['title']}.** {table['split']}. CPU: {table['cpu']}.", "",
             "| contender | seeds | " + " | ".join(metrics) + " | per seed (" + metrics[table.get("key_metric", 0)]
             + ") |", "|---|---:|" + "---:|" * len(metrics) + "---|"]
    key = metrics[table.get("key_metric", 0)]
    for row in table["rows"]:
        seeds = row["seeds"]
        cells = []
        for metric in metrics:
            values = [s[metric] for s in seeds.values() if s.get(metric) is not None]
            if values:
                mean, sd = mean_sd(values)
                cells.append(f"{mean:.2f} ± {sd:.2f}" if len(values) > 1 else f"{mean:.2f}")
            elif metric in row.get("summary", {}):
                cells.append(row["summary"][metric])
            else:
                cells.append("")
        per_seed = " / ".join(f"{s[key]:.2f}" for s in seeds.values() if s.get(key) is not None)
        n = len(seeds) or row.get("summary", {}).get("seeds", "")
        label = f"**{row['label']}**" if row.get("bold") else row["label"]
        lines.append(f"| {label} | {n} | " + " | ".join(cells) + f" | {per_seed} |")
    lines += ["", "```", table["command"].strip(), "```"]
    if table.get("note"):
        lines += ["", table["note"].strip()]
    return "\n".join(lines)


def load_tables(results: Path = RESULTS) -> dict:
    return {path.stem: json.loads(path.read_text(encoding="utf8")) for path in sorted(results.glob("*.json"))}


def rewrite(doc: str, tables: dict) -> str:
    for name, table in tables.items():
        pattern = re.compile(rf"(<!-- table:{re.escape(name)} -->\n)(?:.*?\n)?(<!-- /table:{re.escape(name)} -->)", re.S)
        if not pattern.search(doc):
            raise SystemExit(f"no <!-- table:{name} --> ... <!-- /table:{name} --> markers for {name}.json in the "
                             "doc; add them where the table goes")
        doc = pattern.sub(lambda m: m.group(1) + render(name, table) + "\n" + m.group(2), doc)
    return doc


def write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def add(path: Path, label: str, dirs) -> None:
    """Append or replace contender ``label`` in ``path`` from accuracy.py --out directories."""
    table = json.loads(path.read_text(encoding="utf8"))
    seeds = {}
    for directory in dirs:
        results = json.loads((Path(directory) / "results.json").read_text(encoding="utf8"))
        seed = str(results.get("args", {}).get("seed", len(seeds)))
        scores = next(iter(results["contenders"].values()))["dev"]
        seeds[seed] = {metric: 100 * scores[key] for metric, key in table["keys"].items() if key in scores}
    table["rows"] = [r for r in table["rows"] if r["label"] != label] + [{"label": label, "seeds": seeds}]
    write_atomic(path, json.dumps(table, indent=1, ensure_ascii=False) + "\n")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true", help="exit 1 if the doc differs from what the JSON gives")
    p.add_argument("--add", type=Path, help="a results file to add a contender to")
    p.add_argument("--label", help="with --add: the contender's label")
    p.add_argument("dirs", nargs="*", help="with --add: bench/accuracy.py --out directories, one per seed")
    p.add_argument("--doc", type=Path, default=DOC, help="the Markdown file holding the tables")
    p.add_argument("--results", type=Path, default=RESULTS, help="the folder of results files")
    args = p.parse_args()
    if args.add:
        if not args.label or not args.dirs:
            p.error("--add needs --label and at least one directory")
        add(args.add, args.label, args.dirs)
    doc = args.doc.read_text(encoding="utf8")
    new = rewrite(doc, load_tables(args.results))
    if args.check:
        if new != doc:
            print(f"{args.doc}: its tables differ from bench/results/*.json; run python bench/tables.py",
                  file=sys.stderr)
            return 1
        return 0
    if new != doc:
        write_atomic(args.doc, new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
