"""Where a corpus run's memory goes: RSS and glibc's heap, every N docs.

One process annotates lines of a text file with ``nlp.pipe`` (as an
``annotate`` worker does: one torch thread, batches of ``--batch-size``)
and, every ``--every`` docs, reports the process's RSS and peak RSS
(``VmRSS``/``VmHWM``) and glibc's ``mallinfo2``: bytes in use, bytes free
but kept by the allocator, and bytes in mmapped chunks. With ``--trim``
each report also calls ``malloc_trim(0)`` and gives the RSS after it, so
it shows how much of the growth the allocator could hand back. With
``--longest N`` it runs, after 200 short lines, one batch of the N longest
lines instead: the peak of a corpus run is the largest batch's
temporaries (the embedding, the LSTMs and the heads over every token of
the batch), which this measures alone. Compare
precisions side by side with ``PIPELINE@fp32`` and ``PIPELINE@bf16``, each in
its own process (``--precision`` of bench/speed.py's ``PATH@PRECISION``).

    python bench/memory_probe.py PIPELINE@fp32 ../shared/data/raw/tl_raw_permissive.txt --stride 4 --json fp32.json
    python bench/memory_probe.py PIPELINE@bf16 ../shared/data/raw/tl_raw_permissive.txt --stride 4 --json bf16.json
    python bench/memory_probe.py PIPELINE@bf16 ../shared/data/raw/tl_raw_permissive.txt --longest 64

The heap figures are glibc's (Linux); elsewhere only RSS is reported.
"""
import argparse
import ctypes
import ctypes.util
import json
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import load  # noqa: E402


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        libc.mallinfo2.restype = _Mallinfo2
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):
        return None


LIBC = _libc()


def status_mb() -> Dict[str, float]:
    """VmRSS and VmHWM of this process in MB (empty where /proc is absent)."""
    out = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def heap_mb() -> Optional[Dict[str, float]]:
    """glibc's heap: in use, free but kept, mmapped (MB); None without glibc."""
    if LIBC is None:
        return None
    info = LIBC.mallinfo2()
    mb = 1024 * 1024
    return {"in_use": (info.uordblks + info.hblkhd) / mb, "free_kept": info.fordblks / mb,
            "mmapped": info.hblkhd / mb, "arena": info.arena / mb}


def read_lines(path: Path, limit: int, stride: int) -> Iterator[str]:
    with path.open(encoding="utf8") as handle:
        for number, line in enumerate(handle):
            if number >= limit:
                break
            if number % stride == 0 and line.strip():
                yield line.strip()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pipeline", help="PATH or PATH@fp32 / PATH@bf16 / PATH@auto (the tok2vec's inference_precision)")
    p.add_argument("text", type=Path, help="plain text, one document per line")
    p.add_argument("--limit-lines", type=int, default=100000, help="lines of TEXT to read")
    p.add_argument("--stride", type=int, default=1, help="use every Nth of those lines")
    p.add_argument("--batch-size", type=int, default=64, help="nlp.pipe's batch size")
    p.add_argument("--threads", type=int, default=1, help="torch threads")
    p.add_argument("--every", type=int, default=2500, help="report every this many docs")
    p.add_argument("--trim", action="store_true", help="malloc_trim(0) at each report, and the RSS after it")
    p.add_argument("--longest", type=int, default=0,
                   help="instead: one batch of the N longest of the lines, after 200 short ones")
    p.add_argument("--json", type=Path, help="write the rows here too")
    args = p.parse_args()
    if args.stride < 1 or args.every < 1 or args.batch_size < 1:
        p.error("--stride, --every and --batch-size must be at least 1")
    if args.longest < 0 or args.limit_lines < 1 or args.threads < 1:
        p.error("--longest must be 0 (off) or more, --limit-lines and --threads at least 1")
    if not args.text.is_file():
        p.error(f"{args.text}: no such file")

    import torch

    torch.set_num_threads(args.threads)
    nlp = load(args.pipeline)
    rows = []

    def report(docs: int, words: int, start: float) -> None:
        row = {"docs": docs, "words": words, "seconds": round(time.perf_counter() - start, 2), **status_mb()}
        heap = heap_mb()
        if heap is not None:
            row.update(heap)
        if args.trim and LIBC is not None:
            LIBC.malloc_trim(0)
            row["VmRSS_after_trim"] = status_mb().get("VmRSS")
        rows.append(row)
        cells = " | ".join(f"{row.get(k, float('nan')):,.0f}" for k in COLUMNS[1:])
        print(f"| {docs:,} | {cells} |", flush=True)

    print(f"| docs | {' | '.join(COLUMNS[1:])} |  (MB; words and seconds as counted)")
    print("|---:|" + "---:|" * (len(COLUMNS) - 1))
    start = time.perf_counter()
    report(0, 0, start)
    docs = words = 0
    texts = read_lines(args.text, args.limit_lines, args.stride)
    batch_size = args.batch_size
    if args.longest:
        lines = list(texts)
        list(nlp.pipe(lines[:200], batch_size=batch_size))
        report(0, 0, start)
        texts, batch_size = iter(sorted(lines, key=len)[-args.longest:]), args.longest
    for doc in nlp.pipe(texts, batch_size=batch_size):
        docs += 1
        words += len(doc)
        if docs % args.every == 0:
            report(docs, words, start)
    report(docs, words, start)
    if args.json:
        args.json.write_text(json.dumps({"pipeline": args.pipeline, "text": str(args.text), "rows": rows}, indent=1))


COLUMNS = ["docs", "words", "seconds", "VmRSS", "VmHWM", "in_use", "free_kept", "mmapped", "VmRSS_after_trim"]


if __name__ == "__main__":
    main()
