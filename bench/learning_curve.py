"""Learning curves: accuracy against the share of the training split used.

Runs bench/accuracy.py once per --fractions value (a seeded subsample of the
training split; dev stays whole) for each contender, with and without
--init-tok2vec for 'ours', then writes OUT/curve.json, OUT/curve.md and
OUT/curve.png (matplotlib, a bench-only dependency).

    python bench/learning_curve.py --task ner \
        --split ../shared/data/ner/wikiann_tl_corrected_part_a.spacy --vectors VECTORS \
        --init-tok2vec PRETRAIN/model-last.bin --fractions 0.1,0.25,0.5,1 --steps 600 --out curve_ner

Every argument after ``--`` goes to bench/accuracy.py unchanged. Points already
in OUT (from an earlier call) are reused, so fractions can be added later.
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def run(args, fraction: float, contenders: str, init: str, out: Path, extra):
    if (out / "results.json").exists():  # a point of an earlier call with the same --out: reuse it
        return json.loads((out / "results.json").read_text())
    cmd = [sys.executable, str(ROOT / "bench" / "accuracy.py"), "--task", args.task, "--split", args.split,
           "--train-fraction", str(fraction), "--contenders", contenders, "--steps", str(args.steps),
           "--eval-frequency", str(args.eval_frequency), "--seed", str(args.seed), "--threads", str(args.threads),
           "--out", str(out)]
    if args.vectors:
        cmd += ["--vectors", args.vectors]
    if init:
        cmd += ["--init-tok2vec", init]
    subprocess.run(cmd + list(extra), check=True)
    return json.loads((out / "results.json").read_text())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", default="ner", choices=["ud", "ner", "textcat"])
    p.add_argument("--split", required=True, help="the file bench/accuracy.py splits into train/dev")
    p.add_argument("--vectors")
    p.add_argument("--init-tok2vec", required=True, help="pretrained weights for the 'ours + pretraining' curve")
    p.add_argument("--fractions", default="0.1,0.25,0.5,1")
    p.add_argument("--baselines", default="calamancy_md", help="contenders run without pretraining besides 'ours'")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--eval-frequency", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", required=True)
    args, extra = p.parse_known_args()
    extra = [a for a in extra if a != "--"]
    import accuracy

    _, metrics, key = accuracy.TASKS[args.task]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    curves = {}
    for fraction in [float(f) for f in args.fractions.split(",")]:
        runs = [("ours + pretraining", "ours", args.init_tok2vec, "pre"),
                ("ours", "ours," + args.baselines, None, "base")]
        for label, contenders, init, tag in runs:
            results = run(args, fraction, contenders, init, out / f"{tag}_{fraction:g}", extra)
            for name, row in results["contenders"].items():
                series = label if name == "ours" else name
                curves.setdefault(series, {})[fraction] = {"train_docs": results["train_docs"], **row["dev"]}
    (out / "curve.json").write_text(json.dumps(curves, indent=2))
    fractions = sorted({f for series in curves.values() for f in series})
    lines = ["| contender | " + " | ".join(f"{f:g} ({curves['ours'][f]['train_docs']} docs)" for f in fractions) + " |",
             "|---|" + "---:|" * len(fractions)]
    for series, points in curves.items():
        lines.append(f"| {series} | " + " | ".join(f"{100 * (points[f][key] or 0):.1f}" for f in fractions) + " |")
    (out / "curve.md").write_text(f"dev {key} by share of the training split\n\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for series, points in curves.items():
        xs = [points[f]["train_docs"] for f in fractions]
        ax.plot(xs, [100 * (points[f][key] or 0) for f in fractions], marker="o", label=series)
    ax.set_xscale("log")
    ax.set_xlabel("training docs (log scale)")
    ax.set_ylabel(f"dev {key} (%)")
    ax.set_title(f"{args.task}: learning curve ({Path(args.split).name}, {args.steps} steps)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "curve.png", dpi=120)


if __name__ == "__main__":
    main()
