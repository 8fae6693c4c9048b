"""Issue #25's goals against the figures ``bench/cpu_gates.sh`` wrote.

Reads, from OUT: ``cpu.txt``, ``speed.json`` (bench/speed.py over md first,
the TorchBiLSTM last, and ours@fp32 and ours@auto between them),
``longest_{fp32,auto}.json`` (bench/memory_probe.py --longest),
``annotate_{fp32,auto}.json`` (bench/annotate_speed.py --settings 2) and
``bf16_accuracy.json``; prints one markdown table: each goal, its figure
on this CPU, and whether it is met. A file that is missing gives "-" in
its rows (a partial run still summarizes).

    python bench/gates_summary.py /tmp/cpu_gates
"""
import argparse
import json
from pathlib import Path
from typing import List, Optional, Tuple

Row = Tuple[str, str, Optional[bool]]


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf8")) if path.is_file() else None


def speed_rows(report: Optional[dict]) -> List[Row]:
    """Ratios of ours@auto (and @fp32) to md and to the TorchBiLSTM."""
    flags = set(report["machine"]["flags"]) if report else set()
    # the goal for batch 256: 3.5x md on an AMX Xeon, 4.5x on the AVX-512 BF16 EPYC; none stated elsewhere
    goal_256 = 3.5 if "amx_bf16" in flags else 4.5 if "avx512_bf16" in flags else None
    goals = [("batch 256, 2 threads: `auto` vs md", "256", 2, "md", goal_256),
             ("batch 256, 2 threads: fp32 vs md", "256", 2, "md", None),
             ("batch 1, 2 threads: `auto` vs TorchBiLSTM", "1", 2, "bilstm", 1.0),
             ("batch 1, 1 thread: `auto` vs TorchBiLSTM", "1", 1, "bilstm", 1.0),
             ("batch 1, 2 threads: `auto` vs md", "1", 2, "md", 2.0)]
    if not report:
        return [(name, "-", None) for name, *_ in goals]
    models = report["args"]["models"]
    md, bilstm = models[0], models[-1]
    # ours: the pipelines between them, PATH@fp32 and PATH@auto (a bare PATH predicts as its config says: auto)
    fp32 = next((m for m in models[1:-1] if m.endswith("@fp32")), None)
    auto = next((m for m in models[1:-1] if m.endswith("@auto") or "@" not in m), None)
    results = report["results"]
    rows: List[Row] = []
    for name, batch, threads, other, goal in goals:
        ours = fp32 if "fp32" in name else auto
        key = f"threads={threads}"
        if ours is None or key not in results[ours]:
            rows.append((name, "-", None))
            continue
        ratio = results[ours][key][batch] / results[md if other == "md" else bilstm][key][batch]
        rows.append((f"{name} (goal {goal:.1f}x)" if goal else name, f"{ratio:.2f}x",
                     None if goal is None else ratio >= goal))
    return rows


def longest_added_mb(report: Optional[dict]) -> Optional[float]:
    """Peak RSS over the warmed-up RSS: what the one batch of long lines added."""
    if not report or len(report["rows"]) < 3:
        return None
    rows = report["rows"]
    return rows[-1]["VmHWM"] - rows[1]["VmRSS"]


def memory_rows(out: Path) -> List[Row]:
    rows: List[Row] = []
    annotate = {p: _load(out / f"annotate_{p}.json") for p in ("fp32", "auto")}
    if all(annotate.values()):
        fp32, auto = (annotate[p][0] for p in ("fp32", "auto"))
        ratio = auto["peak_rss_mb"] / fp32["peak_rss_mb"]
        rows.append(("annotate --n-process 2, peak RSS: `auto` vs fp32 (goal within 10 %)",
                     f"{auto['peak_rss_mb']:,.0f} / {fp32['peak_rss_mb']:,.0f} MB = {ratio - 1:+.1%}", ratio <= 1.10))
        rows.append(("annotate --n-process 2, words/s: `auto` vs fp32",
                     f"{auto['words_per_second']:,.0f} / {fp32['words_per_second']:,.0f} = "
                     f"{auto['words_per_second'] / fp32['words_per_second']:.2f}x", None))
    else:
        rows.append(("annotate --n-process 2, peak RSS: `auto` vs fp32 (goal within 10 %)", "-", None))
    added = {p: longest_added_mb(_load(out / f"longest_{p}.json")) for p in ("fp32", "auto")}
    rows.append(("one batch of the 64 longest lines, MB added: fp32 / `auto`",
                 " / ".join("-" if v is None else f"{v:,.0f}" for v in added.values()), None))
    return rows


def accuracy_rows(report: Optional[dict]) -> List[Row]:
    name = "largest score difference, bf16 vs fp32 (goal at most 0.05 points)"
    if not report:
        return [(name, "-", None)]
    worst = report["largest_difference_points"]
    return [(name, f"{worst:.2f} ({report['changed_tokens']} of {report['tokens']:,} tokens changed)",
             worst <= 0.05)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path, help="bench/cpu_gates.sh's OUT")
    args = p.parse_args()
    if not args.out.is_dir():
        p.error(f"{args.out}: not a directory")
    cpu = (args.out / "cpu.txt").read_text(encoding="utf8").strip() if (args.out / "cpu.txt").is_file() else "?"
    rows = speed_rows(_load(args.out / "speed.json")) + memory_rows(args.out) + accuracy_rows(
        _load(args.out / "bf16_accuracy.json"))
    print(f"CPU: {cpu}\n")
    print("| goal | figure | met |\n|---|---:|:---:|")
    for name, figure, met in rows:
        print(f"| {name} | {figure} | {'-' if met is None else ('yes' if met else 'no')} |")


if __name__ == "__main__":
    main()
