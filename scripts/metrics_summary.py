"""Write a Markdown table of the scores in spaCy evaluate's JSON files.

    python scripts/metrics_summary.py ud=metrics/ud.json ner=metrics/ner.json textcat=metrics/textcat.json \
        --data ud=assets/ud/tl_sample-ud-dev.conllu ... --output metrics/summary.md

Each argument is TASK=FILE; a task shows only its own metrics (ud, ner, textcat).
``--data TASK=FILE`` names the file each task was evaluated on; the summary
says which, and says so plainly when it is a dev file (the project's
``*_test`` variables default to the dev files: the test splits are held out).
"""
import argparse
import json
from pathlib import Path

TASK_PREFIXES = {"ud": ("tag", "pos", "morph", "lemma", "dep"), "ner": ("ents",), "textcat": ("cats",)}
KEYS = [
    ("tag_acc", "TAG"), ("pos_acc", "UPOS"), ("morph_acc", "Morph"), ("lemma_acc", "Lemma"),
    ("dep_uas", "UAS"), ("dep_las", "LAS"), ("ents_f", "NER F"), ("ents_p", "NER P"), ("ents_r", "NER R"),
    ("cats_macro_f", "Textcat macro F"), ("cats_score", "Textcat score"), ("speed", "words/s"),
]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("files", nargs="+", help="TASK=FILE")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--data", nargs="*", default=[], help="TASK=FILE: the file each task was evaluated on")
    args = p.parse_args()
    lines = []
    for item in args.data:
        task, _, file = item.partition("=")
        if task not in TASK_PREFIXES or not file:
            p.error(f"--data: expected TASK=FILE with TASK in {sorted(TASK_PREFIXES)}, got {item!r}")
        dev = " (a **dev** file: set --vars.{0}_test to score a test split)".format(task) if "dev" in Path(file).name \
            else ""
        lines.append(f"- {task}: evaluated on `{file}`{dev}")
    if lines:
        lines.append("")
    lines += ["| data | metric | score |", "|---|---|---:|"]
    for item in args.files:
        task, _, file = item.partition("=")
        if task not in TASK_PREFIXES or not file:
            p.error(f"expected TASK=FILE with TASK in {sorted(TASK_PREFIXES)}, got {item!r}")
        path = Path(file)
        scores = json.loads(path.read_text(encoding="utf8"))
        for key, name in KEYS:
            if key != "speed" and not key.startswith(TASK_PREFIXES[task]):
                continue
            value = scores.get(key)
            if isinstance(value, (int, float)):
                shown = f"{value:,.0f}" if key == "speed" else f"{100 * value:.1f}"
                lines.append(f"| {task} | {name} | {shown} |")
    tmp = args.output.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf8")
    tmp.replace(args.output)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
