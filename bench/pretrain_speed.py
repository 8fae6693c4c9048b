"""Words per second of spaCy's own pretraining loop, setting against setting.

Each setting runs in a fresh process (``--child``): it builds the pipeline
and objective exactly as ``spacy pretrain`` does (spaCy's
``create_pretraining_model``, ``make_update``, the config's batcher and
reader), then times ``make_update`` over the same first ``--docs`` documents
of the raw text, after ``--warmup`` batches. Settings run side by side, in
alternating rounds, at each thread count; the table gives words/s and the
ratio to the first setting, with the CPU and its flags.

    python bench/pretrain_speed.py today=configs/ud.cfg \\
        fast=configs/ud.cfg:pretraining.objective.negatives=1024 \\
        --raw-text ../shared/data/raw/tl_raw_permissive.txt --vectors VECTORS \\
        --threads 1,2 --docs 2000 --rounds 2 --json results.json

A setting is ``NAME=CONFIG`` with optional ``:key=value,key=value``
overrides (dotted config paths; values parsed as JSON where they can be);
``NAME@SRC=...`` runs it with another checkout of spacy-lstm (``SRC``, e.g.
a ``git worktree`` of an earlier commit) first on ``PYTHONPATH``, to
measure before and after side by side.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import machine  # noqa: E402


def parse_setting(spec: str):
    if "=" not in spec:
        raise SystemExit(f"pretrain_speed: setting {spec!r} is not NAME=CONFIG[:key=value,...]")
    name, rest = spec.split("=", 1)
    name, _, source = name.partition("@")
    if source and not (Path(source) / "spacy_lstm").is_dir():
        raise SystemExit(f"pretrain_speed: setting {name!r}: {source} is not a spacy-lstm checkout")
    config, _, overrides = rest.partition(":")
    if not Path(config).is_file():
        raise SystemExit(f"pretrain_speed: setting {name!r}: config {config} not found")
    parsed = {}
    for item in filter(None, overrides.split(",")):
        if "=" not in item:
            raise SystemExit(f"pretrain_speed: setting {name!r}: override {item!r} is not key=value")
        key, value = item.split("=", 1)
        try:
            parsed[key] = json.loads(value)
        except json.JSONDecodeError:
            parsed[key] = value
    return name, config, parsed, source


#: Where a pretraining step's time goes (--profile): cProfile's own time of
#: each function, summed by the first of these patterns its name matches.
PARTS = [
    ("LSTM backward (torch autograd)", ("run_backward", "autograd.backward", "_engine_run_backward")),
    ("LSTM forward, fused (torch.lstm: padded path)", ("torch.lstm", "_VF.lstm", "method 'lstm'",
                                                      "built-in method lstm")),
    ("LSTM forward, stepwise (its Python loop and gates)", ("stepwise_lstm.py", "torch.tanh", "torch.sigmoid",
                                                            "torch.addmm")),
    ("optimizer (Thinc: Adam, averages, clipping)", ("optimizers.py", "update_averages", "adam", "clip_gradient",
                                                     "linalg")),
    ("matrix products (Thinc gemm, torch mm/linear)", ("gemm", "matmul", "torch.mm", "linear")),
    ("static vectors (get_batch)", ("get_batch", "vectors.pyx")),
]


def profile_parts(stats) -> list:
    """(part, seconds) for :data:`PARTS` and "the rest", from a pstats.Stats."""
    totals = {name: 0.0 for name, _ in PARTS}
    rest = 0.0
    for (filename, line, function), (_, _, own, _, _) in stats.stats.items():
        label = f"{filename}:{function}"
        for name, patterns in PARTS:
            if any(pattern in label for pattern in patterns):
                totals[name] += own
                break
        else:
            rest += own
    return [*totals.items(), ("the rest (Python, numpy, batching, LayerNorm, dropout...)", rest)]


def child(config_path: str, overrides: dict, raw_text: str, vectors: str, docs: int, warmup: int,
          threads: int, gpu_id: int = -1, profile: str = "") -> dict:
    import torch
    from thinc.api import require_gpu
    from spacy.training.pretrain import create_pretraining_model, ensure_docs, make_update
    from spacy.util import load_config, load_model_from_config, registry, dot_to_object
    from spacy.schemas import ConfigSchemaPretrain
    from thinc.api import fix_random_seed

    torch.set_num_threads(threads)
    if gpu_id >= 0:
        require_gpu(gpu_id)
    settings = {"paths.raw_text": raw_text, "paths.vectors": vectors, "corpora.pretrain.limit": docs,
                **overrides}
    config = load_config(config_path, overrides=settings, interpolate=False)
    training = config.interpolate()["training"]
    fix_random_seed(training["seed"])
    if gpu_id >= 0 and training["gpu_allocator"]:
        from thinc.api import set_gpu_allocator

        # as spacy pretrain does; with "pytorch", cupy's memory is torch's too (peak_gpu_mb counts it)
        set_gpu_allocator(training["gpu_allocator"])
    config["initialize"]["init_tok2vec"] = None
    nlp = load_model_from_config(config)
    resolved = nlp.config.interpolate()
    P = registry.resolve(resolved["pretraining"], schema=ConfigSchemaPretrain)
    corpus = registry.resolve({"corpus": dot_to_object(resolved, P["corpus"])})["corpus"]
    model = create_pretraining_model(nlp, P)
    optimizer, objective = P["optimizer"], model.attrs["loss"]
    batches = [ensure_docs(batch) for batch in P["batcher"](corpus(nlp))]
    for batch in batches[:warmup]:
        make_update(model, batch, optimizer, objective)
    timed = batches[warmup:]
    if not timed:
        raise SystemExit(f"pretrain_speed: {docs} docs make {len(batches)} batches, none left after "
                         f"--warmup {warmup}; give more --docs")
    words = sum(len(doc) for batch in timed for doc in batch)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    loss = 0.0
    for batch in timed:
        loss += make_update(model, batch, optimizer, objective)
    if gpu_id >= 0:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    parts = []
    if profiler is not None:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.dump_stats(profile)
        parts = profile_parts(stats)
    return {"words": words, "seconds": seconds, "words_per_s": words / seconds, "batches": len(timed),
            "loss_per_word": loss / max(words, 1),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "peak_gpu_mb": torch.cuda.max_memory_allocated() / 2**20 if gpu_id >= 0 else 0.0, "profile": parts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("settings", nargs="+", help="NAME=CONFIG[:key=value,...]; the first is the baseline")
    parser.add_argument("--raw-text", required=True, help="raw text (any RawText.v1 format)")
    parser.add_argument("--vectors", default="", help="[initialize] vectors (a directory); empty for none")
    parser.add_argument("--threads", default="1,2", help="torch threads, comma-separated")
    parser.add_argument("--docs", type=int, default=2000, help="documents of the raw text (the first ones)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed batches first")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds; the best is kept")
    parser.add_argument("--gpu-id", type=int, default=-1, help="GPU id (-1: the CPU)")
    parser.add_argument("--json", default="", help="write the results here")
    parser.add_argument("--profile", default="", help="a folder: profile each setting (cProfile; slower) and "
                        "print where the time goes, by part; the raw profiles go there as NAME-THREADS.prof")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        print(json.dumps(child(**spec)))
        return
    settings = [parse_setting(s) for s in args.settings]
    if not Path(args.raw_text).is_file():
        raise SystemExit(f"pretrain_speed: --raw-text {args.raw_text} not found")
    threads = [int(t) for t in args.threads.split(",")]
    if args.profile:
        if Path(args.profile).exists() and not Path(args.profile).is_dir():
            raise SystemExit(f"pretrain_speed: --profile {args.profile} is a file; give a folder for the profiles")
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    results = {}
    for _ in range(args.rounds):
        for n in threads:
            for name, config, overrides, source in settings:
                spec = {"config_path": config, "overrides": overrides, "raw_text": args.raw_text,
                        "vectors": args.vectors or None, "docs": args.docs, "warmup": args.warmup, "threads": n,
                        "gpu_id": args.gpu_id,
                        "profile": str(Path(args.profile) / f"{name}-{n}.prof") if args.profile else ""}
                env = dict(os.environ, OMP_NUM_THREADS=str(n), MKL_NUM_THREADS=str(n),
                           OPENBLAS_NUM_THREADS=str(n))
                if source:
                    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(source).resolve()),
                                                                       env.get("PYTHONPATH", "")]))
                proc = subprocess.run([sys.executable, __file__, "--raw-text", args.raw_text,
                                       "--child", json.dumps(spec), "x"],
                                      capture_output=True, text=True, env=env)
                if proc.returncode != 0:
                    raise SystemExit(f"pretrain_speed: setting {name!r} failed:\n{proc.stderr[-3000:]}")
                row = json.loads(proc.stdout.strip().splitlines()[-1])
                key = (name, n)
                if key not in results or row["words_per_s"] > results[key]["words_per_s"]:
                    results[key] = row
                print(f"  {name} @ {n} threads: {row['words_per_s']:,.0f} words/s", file=sys.stderr, flush=True)
    info = machine()
    print(f"CPU: {info['cpu']} ({info['cores']} cores; flags: {' '.join(info['flags']) or 'none of note'})")
    if args.gpu_id >= 0:
        import torch

        print(f"GPU: {torch.cuda.get_device_name(args.gpu_id)}")
    print(f"{settings[0][0]} is the baseline; best of {args.rounds} round(s), each setting in a fresh process, "
          f"first {args.docs} docs of {args.raw_text}")
    print()
    print("| setting | threads | words/s | vs " + settings[0][0] + " | loss/word | peak RSS MB | peak GPU MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n in threads:
        base = results[(settings[0][0], n)]["words_per_s"]
        for name, *_ in settings:
            row = results[(name, n)]
            print(f"| {name} | {n} | {row['words_per_s']:,.0f} | {row['words_per_s'] / base:.2f}x | "
                  f"{row['loss_per_word']:.4f} | {row['peak_rss_mb']:,.0f} | {row['peak_gpu_mb']:,.0f} |")
    if args.profile:
        for (name, n), row in results.items():
            print(f"\nWhere the time goes: {name}, {n} threads ({row['seconds']:.1f} s profiled)\n")
            print("| part | seconds | share |")
            print("|---|---:|---:|")
            total = sum(seconds for _, seconds in row["profile"]) or 1.0
            for part, seconds in row["profile"]:
                print(f"| {part} | {seconds:.2f} | {100 * seconds / total:.0f} % |")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "machine": info, "args": vars(args),
            "results": [{"setting": k[0], "threads": k[1], **v} for k, v in results.items()],
        }, indent=2))


if __name__ == "__main__":
    main()
