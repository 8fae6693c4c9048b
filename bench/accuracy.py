"""Accuracy of tok2vec contenders on the same data, components, vectors and steps.

Trains tagger, morphologizer, trainable_lemmatizer and parser (configs/ud.cfg)
with each contender's tok2vec, then evaluates model-best on the dev file and
on every --test file. Contenders:

  ours          spacy_lstm.LSTMTok2Vec.v1 (configs/ud.cfg; --width, --depth)
  calamancy_md  MultiHashEmbed + static vectors + MaxoutWindowEncoder 256x8
  bilstm        the same embedding + spacy.TorchBiLSTMEncoder.v1 (--width, --depth)
  cnn           spaCy's efficiency CNN: MultiHashEmbed width 96 + MaxoutWindowEncoder 96x4

Data: --train/--dev (CoNLL-U or .spacy), or --split FILE to make a seeded
--split-ratio train/dev split of one CoNLL-U file. Vectors: --vectors DIR, or
--raw FILE to train floret vectors with our trainer first, or neither.

    python bench/accuracy.py --split ../shared/data/ud/tl_newscrawl-ud-dev.conllu \
        --raw ../shared/data/raw/tl_raw_permissive.txt --steps 2000 --out /tmp/acc

Writes OUT/results.json and OUT/results.md, and keeps each trained pipeline
in OUT/NAME/model-best (input to bench/speed.py).
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.training import Example

ROOT = Path(__file__).resolve().parent.parent
CONTENDERS = ["ours", "calamancy_md", "bilstm", "cnn"]
METRICS = [("tag_acc", "TAG"), ("pos_acc", "UPOS"), ("morph_acc", "Morph"), ("lemma_acc", "Lemma"),
           ("dep_uas", "UAS"), ("dep_las", "LAS")]


def read_docs(path: Path, nlp):
    if path.suffix == ".spacy":
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))
    from spacy.training.converters import conllu_to_docs

    return list(conllu_to_docs(path.read_text(encoding="utf8"), n_sents=1, no_print=True))


def embed_block(width: int, vectors: bool) -> dict:
    return {
        "@architectures": "spacy.MultiHashEmbed.v2", "width": width,
        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [5000, 1000, 2500, 2500],
        "include_static_vectors": vectors,
    }


def contender_config(name: str, args, vectors: bool):
    config = spacy.util.load_config(ROOT / "configs" / ("calamancy_md.cfg" if name == "calamancy_md" else "ud.cfg"))
    comps = config["components"]
    if name == "ours":
        model = comps["tok2vec"]["model"]
        model.update({"width": args.width, "depth": args.depth, "include_static_vectors": vectors})
        width = args.width
    elif name == "calamancy_md":
        comps["tok2vec"]["model"]["embed"]["include_static_vectors"] = vectors
        width = 256
    elif name == "bilstm":
        comps["tok2vec"]["model"] = {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": embed_block(args.width, vectors),
            "encode": {"@architectures": "spacy.TorchBiLSTMEncoder.v1", "width": args.width,
                       "depth": args.depth, "dropout": 0.1},
        }
        width = args.width
    elif name == "cnn":
        comps["tok2vec"]["model"] = {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": embed_block(96, vectors),
            "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "depth": 4,
                       "window_size": 1, "maxout_pieces": 3},
        }
        width = 96
    else:
        raise ValueError(f"unknown contender {name!r}; choose from {CONTENDERS}")
    for comp in ("tagger", "morphologizer", "trainable_lemmatizer", "parser"):
        comps[comp]["model"]["tok2vec"]["width"] = width
    if name == "ours":
        for item in args.override:
            key, _, value = item.partition("=")
            *parents, leaf = key.split(".")
            node = config
            for part in parents:
                node = node[part]
            node[leaf] = json.loads(value)
    return config


def prepare_data(args, out: Path):
    nlp = spacy.blank("tl")
    if args.split:
        docs = read_docs(Path(args.split), nlp)
        random.Random(args.split_seed).shuffle(docs)
        cut = int(len(docs) * args.split_ratio)
        train, dev = docs[:cut], docs[cut:]
    else:
        train, dev = read_docs(Path(args.train), nlp), read_docs(Path(args.dev), nlp)
    DocBin(docs=train).to_disk(out / "train.spacy")
    DocBin(docs=dev).to_disk(out / "dev.spacy")
    return len(train), len(dev)


def prepare_vectors(args, out: Path):
    if args.vectors:
        return Path(args.vectors)
    if not args.raw:
        return None
    target = out / "vectors"
    if not (target / "config.cfg").exists():
        cmd = [sys.executable, "-m", "spacy_lstm", "train-vectors", args.raw, str(target), "--mode", "floret",
               "--dim", str(args.vectors_dim), "--bucket", str(args.vectors_bucket), "--epochs",
               str(args.vectors_epochs), "--seed", str(args.seed), "--quiet"]
        subprocess.run(cmd, check=True)
    return target


def evaluate(model_dir: Path, path: Path):
    nlp = spacy.load(model_dir)
    docs = read_docs(path, nlp)
    examples = [Example(nlp.make_doc(d.text), d) for d in docs]
    scores = nlp.evaluate(examples)
    return {key: scores.get(key) for key, _ in METRICS}


def first_time_reaching(log_path: Path, key: str, target: float):
    for line in log_path.read_text(encoding="utf8").splitlines():
        row = json.loads(line)
        if row["scores"].get(key, 0.0) >= target:
            return row["seconds"], row["step"]
    return None, None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train")
    p.add_argument("--dev")
    p.add_argument("--split", help="one CoNLL-U file to split into train/dev")
    p.add_argument("--split-ratio", type=float, default=0.8)
    p.add_argument("--split-seed", type=int, default=0)
    p.add_argument("--test", action="append", default=[])
    p.add_argument("--vectors")
    p.add_argument("--raw")
    p.add_argument("--vectors-dim", type=int, default=200)
    p.add_argument("--vectors-bucket", type=int, default=200000)
    p.add_argument("--vectors-epochs", type=int, default=5)
    p.add_argument("--contenders", default=",".join(CONTENDERS))
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--eval-frequency", type=int, default=200)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--depth", type=int, default=2)
    p.add_argument("--override", action="append", default=[],
                   help="KEY=JSON applied to the 'ours' config, e.g. components.tok2vec.model.hidden_size=256")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    if not args.split and not (args.train and args.dev):
        p.error("give --split FILE, or --train and --dev")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    n_train, n_dev = prepare_data(args, out)
    vectors = prepare_vectors(args, out)
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)}
    results = {"args": vars(args), "train_docs": n_train, "dev_docs": n_dev, "contenders": {}}
    for name in args.contenders.split(","):
        workdir = out / name
        workdir.mkdir(exist_ok=True)
        config = contender_config(name, args, vectors is not None)
        config["training"]["logger"] = {"@loggers": "spacy_lstm_bench.JsonlLogger.v1", "path": str(workdir / "log.jsonl")}
        config.to_disk(workdir / "config.cfg")
        cmd = [sys.executable, "-m", "spacy", "train", str(workdir / "config.cfg"), "--output", str(workdir),
               "--code", str(ROOT / "bench" / "bench_logger.py"),
               "--paths.train", str(out / "train.spacy"), "--paths.dev", str(out / "dev.spacy"),
               "--paths.vectors", str(vectors) if vectors else "null",
               "--training.max_steps", str(args.steps), "--training.eval_frequency", str(args.eval_frequency),
               "--training.patience", "0", "--system.seed", str(args.seed)]
        began = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - began
        if proc.returncode != 0:
            print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{name}: spacy train failed")
        row = {"train_seconds": seconds, "dev": evaluate(workdir / "model-best", out / "dev.spacy")}
        for test in args.test:
            row[f"test:{Path(test).name}"] = evaluate(workdir / "model-best", Path(test))
        results["contenders"][name] = row
        print(f"{name:13s} {seconds:7.0f}s " + " ".join(f"{n}={100 * (row['dev'][k] or 0):.1f}" for k, n in METRICS), flush=True)
    if "ours" in results["contenders"] and "calamancy_md" in results["contenders"]:
        target = results["contenders"]["calamancy_md"]["dev"]["dep_las"]
        secs, step = first_time_reaching(out / "ours" / "log.jsonl", "dep_las", target)
        results["ours_reaches_calamancy_md_las"] = {"target": target, "seconds": secs, "step": step,
                                                    "calamancy_md_train_seconds": results["contenders"]["calamancy_md"]["train_seconds"]}
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf8")
    lines = ["| contender | train s | " + " | ".join(n for _, n in METRICS) + " |",
             "|---|---:|" + "---:|" * len(METRICS)]
    for name, row in results["contenders"].items():
        for split_name in [k for k in row if k == "dev" or k.startswith("test:")]:
            cells = " | ".join(f"{100 * (row[split_name][k] or 0):.1f}" for k, _ in METRICS)
            lines.append(f"| {name} ({split_name}) | {row['train_seconds']:.0f} | {cells} |")
    (out / "results.md").write_text("\n".join(lines) + "\n", encoding="utf8")
    print("\n".join(lines))
    if "ours_reaches_calamancy_md_las" in results:
        print("ours reaches calamancy_md's final dev LAS:", results["ours_reaches_calamancy_md_las"])


if __name__ == "__main__":
    main()
