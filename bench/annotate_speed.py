"""Throughput and memory of ``python -m spacy lstm annotate``, side by side.

Runs the command in a fresh subprocess per setting on the same input (the
text file repeated ``--repeat`` times) and reports words/s (the manifest's
words over the wall time, pipeline loading included), the ratio to the first
setting, and the peak RSS of the largest process of the run: the
largest ``VmHWM`` of the command and every process under it (workers are
the forkserver's children, which ``ru_maxrss`` of the command's children
does not see), read from ``/proc`` every 0.1 s, and ``ru_maxrss`` where
there is no ``/proc``. Settings: 1 process; ``--n-process 2`` (1 thread each);
``2-glibc``: the same with glibc's own mmap threshold (``--mmap-threshold-mb
0``); with ``--ray``, the Ray engine on a local cluster with 2 actors.

    python bench/annotate_speed.py PIPELINE ../shared/data/raw/tl_raw_permissive.txt \
        --limit-lines 20000 --repeat 1 --ray
    python bench/annotate_speed.py PIPELINE TEXT --limit-lines 2000 --repeat 1,10,100 --settings 1

``PIPELINE@fp32``, ``@bf16`` or ``@auto`` runs a copy of the pipeline (in the
run's temporary directory) with its tok2vec's ``inference_precision`` set so,
as ``bench/speed.py`` and ``bench/memory_probe.py`` take it:

    python bench/annotate_speed.py PIPELINE@fp32 ../shared/data/raw/tl_raw_permissive.txt --limit-lines 100000 --settings 2
    python bench/annotate_speed.py PIPELINE@auto ../shared/data/raw/tl_raw_permissive.txt --limit-lines 100000 --settings 2
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import machine, split_spec  # noqa: E402

PRECISIONS = ("fp32", "bf16", "auto")

SETTINGS = {
    "1": ["--n-process", "1"],
    "2": ["--n-process", "2"],
    # the same with glibc's own mmap threshold (annotate's default is 1 MB: spacy_lstm/annotate/heap.py)
    "2-glibc": ["--n-process", "2", "--mmap-threshold-mb", "0"],
    "ray": ["--engine", "ray", "--actors", "2"],
}


PEAK_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def _tree_peak_kb(root: int) -> int:
    """The largest VmHWM (peak RSS, kB) among ``root`` and its descendants now."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    peak = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (OSError, ValueError):
            continue
    return peak


def run(pipeline: str, text: Path, extra, shard_size: int, workdir: Path) -> dict:
    out = workdir / "out"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "spacy", "lstm", "annotate", pipeline, str(text), str(out),
               "--shard-size", str(shard_size), "--quiet", *extra]
    start = time.perf_counter()
    # a fresh wrapper per run, so its children's ru_maxrss is this run's peak
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([sys.executable, "-c", PEAK_WRAPPER, *command], env=env, stdout=log,
                                stderr=subprocess.STDOUT, text=True)
        polled, has_proc = 0, Path("/proc/self/status").exists()
        while proc.poll() is None:
            if has_proc:
                polled = max(polled, _tree_peak_kb(proc.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        log.seek(0)
        output = log.read()
    if proc.returncode != 0:
        raise SystemExit(f"annotate {' '.join(extra)} failed:\n{output[-4000:]}")
    peak_kb = max(polled, int(output.strip().splitlines()[-1]))
    manifest = json.loads((out / "manifest.json").read_text())
    return {"seconds": seconds, "words": manifest["words"], "docs": manifest["docs"],
            "words_per_second": manifest["words"] / seconds, "peak_rss_mb": peak_kb / 1024}


def pipeline_with_precision(spec: str, workdir: Path) -> str:
    """The pipeline directory of ``PATH[@PRECISION]``: PATH itself, or a copy
    in ``workdir`` whose tok2vec predicts in PRECISION."""
    from spacy.util import load_config

    path, precision = split_spec(spec)
    if precision is None:
        return path
    copy = workdir / f"pipeline-{precision}"
    shutil.copytree(path, copy)
    config = load_config(copy / "config.cfg", interpolate=False)
    config["components"]["tok2vec"]["model"]["inference_precision"] = precision
    config.to_disk(copy / "config.cfg")
    return str(copy)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pipeline", help="PATH or PATH@fp32 / PATH@bf16 / PATH@auto (the tok2vec's inference_precision)")
    p.add_argument("text", type=Path, help="plain text, one document per line")
    p.add_argument("--limit-lines", type=int, default=5000, help="lines of TEXT to use (before repeating)")
    p.add_argument("--repeat", default="1", help="comma-separated: input = the lines repeated this many times")
    p.add_argument("--settings", default="1,2", help=f"comma-separated, from {', '.join(SETTINGS)}")
    p.add_argument("--ray", action="store_true", help="add the Ray setting")
    p.add_argument("--shard-size", type=int, default=1000)
    p.add_argument("--json")
    args = p.parse_args()
    path, precision = split_spec(args.pipeline)
    if precision is not None and precision not in PRECISIONS:
        p.error(f"{args.pipeline}: the precision after @ must be one of {', '.join(PRECISIONS)}")
    if precision is not None and not (Path(path) / "config.cfg").is_file():
        p.error(f"{args.pipeline}: {path} is not a pipeline directory (no config.cfg); @PRECISION needs one")
    settings = args.settings.split(",") + (["ray"] if args.ray else [])
    lines = args.text.read_text(encoding="utf8").splitlines()[: args.limit_lines]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        pipeline = pipeline_with_precision(args.pipeline, workdir)
        for repeat in [int(r) for r in args.repeat.split(",")]:
            text = workdir / f"input-x{repeat}.txt"
            with text.open("w", encoding="utf8") as handle:
                for _ in range(repeat):
                    handle.write("\n".join(lines) + "\n")
            for name in settings:
                row = {"setting": name, "repeat": repeat, **run(pipeline, text, SETTINGS[name], args.shard_size,
                                                                  workdir)}
                results.append(row)
                print(json.dumps(row), flush=True)
    cpu = machine()
    print(f"\nCPU: {cpu['cpu']}, {cpu['cores']} cores, flags {' '.join(cpu['flags']) or '-'}, torch "
          f"{cpu['torch']} ({cpu['torch_cpu_capability']}); {args.pipeline}; 1 thread per process\n")
    print("| setting | input (x lines) | docs | words | s | words/s | vs first | peak RSS MB |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|")
    base = {}
    for row in results:
        base.setdefault(row["repeat"], row["words_per_second"])
        rss = f"{row['peak_rss_mb']:.0f}"
        print(f"| {row['setting']} | {row['repeat']} x {len(lines)} | {row['docs']:,} | {row['words']:,} | "
              f"{row['seconds']:.1f} | {row['words_per_second']:,.0f} | "
              f"{row['words_per_second'] / base[row['repeat']]:.2f} | {rss} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf8")


if __name__ == "__main__":
    main()
