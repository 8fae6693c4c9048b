"""Vector training: ours vs gensim Word2Vec and floret, side by side in one run.

Each system trains in its own subprocess (so peak memory is its own), on the
same whitespace-tokenised file with the same hyperparameters:

  ours-word      spacy_lstm train-vectors --mode word
  gensim-word    gensim Word2Vec(sg=1)                       (pip install gensim)
  floret-word    floret skipgram, minn=maxn=0                (pip install floret)
  ours-floret    spacy_lstm train-vectors --mode floret
  floret-floret  floret skipgram, mode floret

Reports end-to-end training seconds (reading the file + training; no export),
words/s = corpus tokens x epochs / seconds, peak RSS, ratios to the
baselines, and quality as nearest-neighbour agreement: for the 1,000 most
frequent words after the top 20, the share of the 10 nearest neighbours
(cosine) two systems have in common. Two gensim runs with different seeds
give the noise level (``gensim-word-seed2``).

    python bench/vectors.py ../shared/data/raw/tl_raw_permissive.txt --threads 2 \
        --json docs/bench-vectors.json
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy

SYSTEMS = ["ours-word", "gensim-word", "gensim-word-seed2", "floret-word", "ours-floret", "floret-floret"]


def count_tokens(path: Path) -> int:
    with path.open(encoding="utf8") as handle:
        return sum(len(line.split()) for line in handle)


def run_one(system: str, args, out: Path) -> dict:
    """Train one system in this process; save words + vectors under ``out``."""
    raw = Path(args.raw)
    seed = args.seed
    start = time.perf_counter()
    if system.startswith("ours"):
        from spacy_lstm.vectors.config import VectorsConfig
        from spacy_lstm.vectors.train import fit_vectors

        cfg = VectorsConfig(
            mode=system.split("-")[1], dim=args.dim, window=args.window, negative=args.negative,
            min_count=args.min_count, sample=args.sample, epochs=args.epochs, minn=args.minn, maxn=args.maxn,
            hash_count=args.hash_count, bucket=args.bucket, tokenizer="whitespace",
            threads=args.threads, seed=seed, device=args.device,
        )
        trainer, _ = fit_vectors([raw], cfg)
        seconds = time.perf_counter() - start
        words, table = trainer.vocab.words, trainer.word_vectors()
    elif system.startswith("gensim"):
        from gensim.models import Word2Vec
        from gensim.models.word2vec import LineSentence

        model = Word2Vec(
            LineSentence(str(raw)), vector_size=args.dim, window=args.window, negative=args.negative,
            sg=1, min_count=args.min_count, sample=args.sample, epochs=args.epochs,
            workers=args.threads, seed=seed + (1 if system.endswith("seed2") else 0), alpha=args.gensim_lr,
        )
        seconds = time.perf_counter() - start
        words, table = list(model.wv.index_to_key), model.wv.vectors
    else:
        import floret

        floret_mode = system.endswith("floret-floret")
        kwargs = dict(
            model="skipgram", dim=args.dim, ws=args.window, neg=args.negative, minCount=args.min_count,
            t=args.sample, epoch=args.epochs, thread=args.threads, verbose=0,
        )
        if floret_mode:
            kwargs.update(mode="floret", minn=args.minn, maxn=args.maxn, hashCount=args.hash_count, bucket=args.bucket)
        else:
            kwargs.update(minn=0, maxn=0)
        model = floret.train_unsupervised(str(raw), **kwargs)
        seconds = time.perf_counter() - start
        words = model.get_words()
        table = numpy.vstack([model.get_word_vector(w) for w in words])
    numpy.save(out / "vectors.npy", numpy.asarray(table, dtype="float32"))
    (out / "words.txt").write_text("\n".join(words), encoding="utf8")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"system": system, "seconds": seconds, "peak_rss_mb": peak_mb, "vocab": len(words)}


def neighbour_sets(words, table, query, k):
    index = {w: i for i, w in enumerate(words)}
    normed = table / numpy.clip(numpy.linalg.norm(table, axis=1, keepdims=True), 1e-8, None)
    rows = numpy.asarray([index[w] for w in query])
    sims = normed[rows] @ normed.T
    sims[numpy.arange(len(rows)), rows] = -numpy.inf
    top = numpy.argpartition(-sims, k, axis=1)[:, :k]
    return [frozenset(words[j] for j in row) for row in top]


def agreement(a, b, n=1000, skip=20, k=10) -> float:
    (wa, ta), (wb, tb) = a, b
    in_b = set(wb)
    query = [w for w in wa[skip:] if w in in_b][:n]
    na, nb = neighbour_sets(wa, ta, query, k), neighbour_sets(wb, tb, query, k)
    return float(numpy.mean([len(x & y) / k for x, y in zip(na, nb)]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("raw", help="whitespace-tokenised text, one sentence/document per line")
    p.add_argument("--systems", default=",".join(SYSTEMS))
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-4)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--minn", type=int, default=3)
    p.add_argument("--maxn", type=int, default=5)
    p.add_argument("--hash-count", type=int, default=2)
    p.add_argument("--bucket", type=int, default=50000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--gensim-lr", type=float, default=0.025, help="gensim's own default alpha")
    p.add_argument("--json", help="write results here")
    p.add_argument("--keep", help="keep each system's vectors under this directory")
    p.add_argument("--run-one", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.run_one:
        print(json.dumps(run_one(args.run_one, args, Path(args.out))))
        return
    tokens = count_tokens(Path(args.raw))
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-vectors-"))
    results = {}
    for system in args.systems.split(","):
        out = base / system
        out.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, __file__, args.raw, "--run-one", system, "--out", str(out)]
        cmd += sum(([f"--{k.replace('_', '-')}", str(v)] for k, v in vars(args).items()
                    if k not in ("raw", "systems", "json", "keep", "run_one", "out") and v is not None), [])
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        if proc.returncode != 0:
            print(f"{system}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["words_per_second"] = tokens * args.epochs / row["seconds"]
        results[system] = row
        print(f"{system:18s} {row['seconds']:7.1f}s {row['words_per_second']:>10,.0f} words/s "
              f"peak {row['peak_rss_mb']:7.0f} MB vocab {row['vocab']}", flush=True)
    loaded = {
        s: ((base / s / "words.txt").read_text(encoding="utf8").split("\n"), numpy.load(base / s / "vectors.npy"))
        for s in results
    }
    names = list(results)
    matrix = {a: {b: agreement(loaded[a], loaded[b]) for b in names if b != a} for a in names}
    ratios = {}
    for ours, theirs in [("ours-word", "floret-word"), ("ours-word", "gensim-word"), ("ours-floret", "floret-floret")]:
        if ours in results and theirs in results:
            ratios[f"{ours}/{theirs}"] = results[ours]["words_per_second"] / results[theirs]["words_per_second"]
    print("\nwords/s ratios:", json.dumps({k: round(v, 2) for k, v in ratios.items()}))
    print("\nneighbour agreement@10 (1,000 words):")
    print(" " * 18 + "".join(f"{n[:12]:>13s}" for n in names))
    for a in names:
        print(f"{a:18s}" + "".join(f"{matrix[a].get(b, 1.0):13.3f}" for b in names))
    report = {"tokens": tokens, "args": vars(args), "results": results, "ratios": ratios, "agreement": matrix}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf8")


if __name__ == "__main__":
    main()
