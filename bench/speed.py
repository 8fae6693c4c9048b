"""CPU speed of trained pipelines: nlp.pipe words/s, size on disk, peak memory.

Each pipeline is measured in its own subprocess per thread count (so peak RSS
is its own), on the texts of a CoNLL-U, .spacy or plain-text file, at batch
sizes 1 and 256. Rounds alternate between pipelines; the best of --rounds is
kept. Ratios are to the first pipeline.

A pipeline given as ``PATH@bf16`` (or ``PATH@auto``, ``PATH@fp32``) is
loaded with ``[components.tok2vec.model] inference_precision`` set to that
value (spacy_lstm tok2vecs), so fp32 and bf16 are measured side by side.

    python bench/speed.py /tmp/acc/ours/model-best /tmp/acc/calamancy_md/model-best \
        /tmp/acc/bilstm/model-best /tmp/acc/cnn/model-best \
        --texts ../shared/data/ud/tl_newscrawl-ud-dev.conllu --json /tmp/speed.json
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def read_texts(path: Path, limit: int):
    import spacy
    from spacy.tokens import DocBin

    if path.suffix == ".spacy":
        texts = [d.text for d in DocBin().from_disk(path).get_docs(spacy.blank("xx").vocab)]
    elif path.suffix == ".conllu":
        from spacy_lstm.documents.conllu import iter_conllu_texts

        texts = list(iter_conllu_texts(path))
    else:
        texts = [l.strip() for l in path.read_text(encoding="utf8").splitlines() if l.strip()]
    return texts[:limit]


def split_spec(spec: str):
    """``PATH[@PRECISION]`` -> (PATH, PRECISION or None)."""
    path, _, precision = spec.partition("@")
    return path, precision or None


def load(spec: str):
    import spacy

    path, precision = split_spec(spec)
    if precision is None:
        return spacy.load(path)
    return spacy.load(path, config={"components": {"tok2vec": {"model": {"inference_precision": precision}}}})


def measure(model: str, texts_path: str, limit: int, threads: int, batch_sizes, rounds: int, gpu_id: int = -1) -> dict:
    import torch

    torch.set_num_threads(threads)
    if gpu_id >= 0:
        import spacy

        spacy.require_gpu(gpu_id)
    nlp = load(model)
    texts = read_texts(Path(texts_path), limit)
    words = sum(len(d) for d in nlp.tokenizer.pipe(texts))
    list(nlp.pipe(texts[:50]))  # warm up
    out = {}
    for batch_size in batch_sizes:
        best = 0.0
        for _ in range(rounds):
            start = time.perf_counter()
            for _doc in nlp.pipe(texts, batch_size=batch_size):
                pass
            best = max(best, words / (time.perf_counter() - start))
        out[str(batch_size)] = best
    out["components"] = component_seconds(nlp, texts, max(batch_sizes), rounds)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def component_seconds(nlp, texts, batch_size: int, rounds: int) -> dict:
    """Seconds each pipeline component takes over all texts (best of rounds),
    run component by component on the tokenized docs."""
    best = {}
    for _ in range(rounds):
        docs = list(nlp.tokenizer.pipe(texts))
        for name, proc in nlp.pipeline:
            start = time.perf_counter()
            docs = list(proc.pipe(docs, batch_size=batch_size)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
    return best


def disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


#: CPU flags that decide how fast the LSTM and the heads can run (bf16/int8 matrix units, vector width).
RELEVANT_FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8", "amx_tile")


def machine() -> dict:
    """The CPU the figures come from: model, relevant flags, torch's capability."""
    import platform

    import torch

    from spacy_lstm.modules.precision import cpu_info

    model, flags = cpu_info()
    model = model or platform.processor() or "unknown"
    capability = getattr(torch.backends.cpu, "get_cpu_capability", lambda: "unknown")()
    return {"cpu": model, "cores": os.cpu_count(), "flags": [f for f in RELEVANT_FLAGS if f in flags],
            "torch": torch.__version__, "torch_cpu_capability": capability}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="+")
    p.add_argument("--texts", required=True, help="CoNLL-U, .spacy or text file")
    p.add_argument("--limit", type=int, default=1000, help="texts to use")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--batch-sizes", default="1,256")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--gpu-id", type=int, default=-1, help="run the pipelines on this GPU (-1: CPU)")
    p.add_argument("--json")
    p.add_argument("--one", help=argparse.SUPPRESS)
    p.add_argument("--one-threads", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    if args.one:
        print(json.dumps(measure(args.one, args.texts, args.limit, args.one_threads, batch_sizes, args.rounds,
                                 args.gpu_id)))
        return
    results = {}
    for threads in [int(t) for t in args.threads.split(",")]:
        env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
        for model in args.models:
            cmd = [sys.executable, __file__, *args.models, "--texts", args.texts, "--limit", str(args.limit),
                   "--batch-sizes", args.batch_sizes, "--rounds", str(args.rounds), "--gpu-id", str(args.gpu_id),
                   "--one", model,
                   "--one-threads", str(threads)]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(f"{model}: failed\n{proc.stderr[-2000:]}")
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            results.setdefault(model, {"disk_mb": disk_mb(Path(split_spec(model)[0]))})[f"threads={threads}"] = row
    first = args.models[0]
    info = machine()
    print(f"CPU: {info['cpu']} ({info['cores']} cores; flags: {' '.join(info['flags']) or 'none of note'}; "
          f"torch {info['torch']}, CPU capability {info['torch_cpu_capability']}); precision fp32 unless the "
          "pipeline's name ends in @bf16 / @auto")
    lines = ["| pipeline | threads | " + " | ".join(f"batch {b} words/s" for b in batch_sizes)
             + " | ratio (first / it) | peak RSS MB | disk MB |", "|---|---:|" + "---:|" * (len(batch_sizes) + 3)]
    for model, row in results.items():
        for key in [k for k in row if k.startswith("threads=")]:
            speeds = [row[key][str(b)] for b in batch_sizes]
            ratio = results[first][key][str(batch_sizes[-1])] / row[key][str(batch_sizes[-1])]
            lines.append(f"| {model} | {key.split('=')[1]} | " + " | ".join(f"{s:,.0f}" for s in speeds)
                         + f" | {ratio:.2f} | {row[key]['peak_rss_mb']:.0f} | {row['disk_mb']:.1f} |")
    print("\n".join(lines))
    print(f"\nSeconds per component at batch {max(batch_sizes)} (share of the pipeline's time):")
    for model, row in results.items():
        for key in [k for k in row if k.startswith("threads=")]:
            parts = row[key]["components"]
            total = sum(parts.values())
            print(f"{model} ({key}): " + ", ".join(f"{n} {t:.2f}s ({100 * t / total:.0f}%)" for n, t in parts.items()))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"args": vars(args), "machine": info, "results": results}, indent=2), encoding="utf8"
        )


if __name__ == "__main__":
    main()
