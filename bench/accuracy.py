"""Accuracy of tok2vec contenders on the same data, components, vectors and steps.

--task picks the components and the config each contender's tok2vec goes into:

  ud       tagger, morphologizer, trainable_lemmatizer, parser (configs/ud.cfg)
  ner      ner (configs/ner.cfg)
  textcat  exclusive textcat (configs/textcat.cfg; macro F1 is spaCy's cats_score)

Each contender is trained, then model-best is evaluated on the dev file and
on every --test file. Contenders (the same task heads for all, except that
calamancy_md keeps its recipe's parser, 128 hidden x 3 pieces, where
configs/ud.cfg's is 64 x 2):

  ours          the task config's spacy_lstm tok2vec (--width, --depth)
  calamancy_md  MultiHashEmbed + static vectors + MaxoutWindowEncoder 256x8
  bilstm        the same embedding + spacy.TorchBiLSTMEncoder.v1 (--width, --depth)
  cnn           spaCy's efficiency CNN: MultiHashEmbed width 96 + MaxoutWindowEncoder 96x4

Data: --train/--dev, or --split FILE to make a seeded --split-ratio train/dev
split of one file. Files: CoNLL-U (.conllu), spaCy DocBin (.spacy) or, for
textcat, CSV/TSV with text and label columns (--text-column, --label-column),
or, for ner, IOB2 token-per-line files (.iob).
Vectors: --vectors DIR, or --raw FILE to train floret vectors with our trainer
first, or neither.

    python bench/accuracy.py --split ../shared/data/ud/tl_newscrawl-ud-dev.conllu \
        --raw ../shared/data/raw/tl_raw_permissive.txt --steps 2000 --out /tmp/acc
    python bench/accuracy.py --task textcat --train ../shared/data/textcat/hatespeech/train.csv \
        --dev ../shared/data/textcat/hatespeech/valid.csv --vectors /tmp/acc/vectors --out /tmp/hate

Writes OUT/results.json and OUT/results.md, and keeps each trained pipeline
in OUT/NAME/model-best (input to bench/speed.py).
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.training import Example

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from spacy_lstm.convert.ner import read_iob  # noqa: E402
from spacy_lstm.convert.textcat import convert_textcat  # noqa: E402

CONTENDERS = ["ours", "calamancy_md", "bilstm", "cnn"]
TASKS = {
    # config, (score key, column name) pairs, the key that "reaches (b)" is measured on
    "ud": ("ud.cfg", [("tag_acc", "TAG"), ("pos_acc", "UPOS"), ("morph_acc", "Morph"), ("lemma_acc", "Lemma"),
                      ("dep_uas", "UAS"), ("dep_las", "LAS")], "dep_las"),
    "ner": ("ner.cfg", [("ents_p", "P"), ("ents_r", "R"), ("ents_f", "F")], "ents_f"),
    "textcat": ("textcat.cfg", [("cats_macro_p", "macro P"), ("cats_macro_r", "macro R"),
                                ("cats_macro_f", "macro F1"), ("cats_macro_auc", "macro AUC")], "cats_macro_f"),
}


def read_docs(path: Path, nlp, args=None, labels=None):
    """Docs with gold annotation from .spacy, .conllu, .iob (IOB2 NER) or .csv/.tsv (textcat)."""
    path = Path(path)
    if path.suffix == ".iob":
        return list(read_iob(path))
    if path.suffix in (".csv", ".tsv"):
        target = Path(args.out) / "converted" / (path.name + ".spacy")
        target.parent.mkdir(parents=True, exist_ok=True)
        convert_textcat(path, target, text_column=args.text_column, label_column=args.label_column,
                        labels=labels)
        path = target
    if path.suffix == ".spacy":
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))
    from spacy_lstm.convert.conllu import read_conllu_docs

    return read_conllu_docs(path, merge_subtokens=not getattr(args, "keep_subtokens", False))


def embed_block(width: int, vectors: bool) -> dict:
    return {
        "@architectures": "spacy.MultiHashEmbed.v2", "width": width,
        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [5000, 1000, 2500, 2500],
        "include_static_vectors": vectors,
    }


def contender_tok2vec(name: str, args, config, vectors: bool):
    """The contender's tok2vec model block and its output width."""
    if name == "ours":
        model = dict(config["components"]["tok2vec"]["model"])
        model.update({"width": args.width, "include_static_vectors": vectors})
        if args.depth is not None:
            model["depth"] = args.depth
        return model, args.width
    if name == "calamancy_md":
        md = spacy.util.load_config(ROOT / "configs" / "calamancy_md.cfg")
        model = md["components"]["tok2vec"]["model"]
        model["embed"]["include_static_vectors"] = vectors
        return model, model["encode"]["width"]
    if name == "bilstm":
        return {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": embed_block(args.width, vectors),
            "encode": {"@architectures": "spacy.TorchBiLSTMEncoder.v1", "width": args.width,
                       "depth": args.depth or 2, "dropout": 0.1},
        }, args.width
    if name == "cnn":
        return {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": embed_block(96, vectors),
            "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "depth": 4,
                       "window_size": 1, "maxout_pieces": 3},
        }, 96
    raise ValueError(f"unknown contender {name!r}; choose from {CONTENDERS}")


def parse_value(text: str):
    """A setting's value as spaCy's CLI reads ``--section.key VALUE``: JSON, else a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def settings_for(items, contender: str, prefixed: bool):
    """(dotted key, value) of each ``[CONTENDER:]KEY=VALUE`` item that applies:
    unprefixed items to every contender, ``NAME:`` items to that one only."""
    out = []
    for item in items:
        target, sep, rest = item.partition(":")
        if sep and "=" not in target:
            if prefixed and target == contender:
                out.append(rest)
        elif not prefixed:
            out.append(item)
    return [(key, parse_value(value)) for key, _, value in (i.partition("=") for i in out)]


def apply_settings(config, settings):
    """Set each dotted key (spaCy's ``set_dot_to_object``)."""
    for key, value in settings:
        spacy.util.set_dot_to_object(config, key, value)


def contender_config(name: str, args, vectors: bool):
    config = spacy.util.load_config(ROOT / "configs" / TASKS[args.task][0])
    apply_settings(config, settings_for(args.set, name, prefixed=False))
    model, width = contender_tok2vec(name, args, config, vectors)
    comps = config["components"]
    comps["tok2vec"]["model"] = model
    for comp_name, comp in comps.items():
        if comp_name != "tok2vec" and "tok2vec" in comp.get("model", {}):
            comp["model"]["tok2vec"]["width"] = width
    if name == "calamancy_md":
        # md keeps the heads of calamanCy's recipe where they differ from the
        # task config's (ud.cfg's parser is 64/2 for speed; calamanCy's is 128/3)
        recipe = spacy.util.load_config(ROOT / "configs" / "calamancy_md.cfg")["components"]
        for comp_name, comp in comps.items():
            if comp_name != "tok2vec" and comp_name in recipe and "tok2vec" in comp.get("model", {}):
                head = dict(recipe[comp_name]["model"])
                head["tok2vec"] = comp["model"]["tok2vec"]
                comp["model"] = head
    if name == "ours":
        if not args.init_tok2vec and model.get("freeze_lm"):
            # a frozen language model is only meaningful when pretrained
            model["freeze_lm"] = False
            print("ours: no --init-tok2vec, so freeze_lm = false (the lm is fine-tuned)", file=sys.stderr)
    apply_settings(config, settings_for(args.set + [f"ours:{o}" for o in args.override], name, prefixed=True))
    return config


def prepare_data(args, out: Path):
    """Write OUT/train.spacy, OUT/dev.spacy and each --test file as OUT/tests/NAME.spacy,
    once for all contenders. Returns the train and dev sizes and {"test:NAME": path}."""
    nlp = spacy.blank("tl")
    if args.split:
        docs = read_docs(Path(args.split), nlp, args)
        random.Random(args.split_seed).shuffle(docs)
        cut = int(len(docs) * args.split_ratio)
        train, dev = docs[:cut], docs[cut:]
    else:
        train = read_docs(Path(args.train), nlp, args)
    # textcat: dev and test files get the training label set (a class absent from them scores 0)
    labels = sorted({label for doc in train for label in doc.cats}) or None
    if not args.split:
        dev = read_docs(Path(args.dev), nlp, args, labels=labels)
    if args.train_fraction < 1.0:
        keep = max(1, round(len(train) * args.train_fraction))
        train = random.Random(args.split_seed + 1).sample(train, keep)
    DocBin(docs=train, store_user_data=True).to_disk(out / "train.spacy")
    DocBin(docs=dev, store_user_data=True).to_disk(out / "dev.spacy")
    tests = {}
    (out / "tests").mkdir(exist_ok=True)
    for test in args.test:
        target = out / "tests" / (Path(test).name + ".spacy")
        DocBin(docs=read_docs(Path(test), nlp, args, labels=labels), store_user_data=True).to_disk(target)
        tests[f"test:{Path(test).name}"] = target
    return len(train), len(dev), tests


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


def run_timed(cmd, env, failure: str) -> float:
    """Run one step of a contender (a subprocess); its seconds, or print its output's tail and exit with ``failure``."""
    began = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(failure)
    return seconds


def evaluate(model_dir: Path, path: Path, args):
    nlp = spacy.load(model_dir)
    docs = read_docs(path, nlp, args)
    examples = [Example(nlp.make_doc(d.text), d) for d in docs]
    scores = nlp.evaluate(examples)
    return {key: scores.get(key) for key, _ in TASKS[args.task][1]}


def first_time_reaching(log_path: Path, key: str, target: float):
    for line in log_path.read_text(encoding="utf8").splitlines():
        row = json.loads(line)
        if (row["scores"].get(key) or 0.0) >= target:
            return row["seconds"], row["step"]
    return None, None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", choices=sorted(TASKS), default="ud")
    p.add_argument("--train")
    p.add_argument("--dev")
    p.add_argument("--split", help="one file (.conllu or .spacy) to split into train/dev")
    p.add_argument("--split-ratio", type=float, default=0.8)
    p.add_argument("--split-seed", type=int, default=0)
    p.add_argument("--test", action="append", default=[])
    p.add_argument("--keep-subtokens", action="store_true",
                   help="CoNLL-U: keep multi-word tokens split into their words (default: merged, as users type them)")
    p.add_argument("--text-column", default="text", help="textcat CSV/TSV: the text column")
    p.add_argument("--label-column", default="label", help="textcat CSV/TSV: the label column")
    p.add_argument("--vectors")
    p.add_argument("--raw")
    p.add_argument("--vectors-dim", type=int, default=200)
    p.add_argument("--vectors-bucket", type=int, default=200000)
    p.add_argument("--vectors-epochs", type=int, default=5)
    p.add_argument("--contenders", default=",".join(CONTENDERS))
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--eval-frequency", type=int, default=200)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--depth", type=int, default=None,
                   help="LSTM layers of 'ours' (default: the task config's) and 'bilstm' (default: 2)")
    p.add_argument("--set", action="append", default=[], metavar="[CONTENDER:]KEY=VALUE",
                   help="a config setting, spaCy's dotted key and a JSON value (else a string): without a "
                        "prefix for every contender before its tok2vec goes in (e.g. a task head; listener widths "
                        "are then set per contender); with 'ours:' for that contender after its tok2vec is in, "
                        "e.g. ours:components.tok2vec.model.freeze_lm=true")
    p.add_argument("--override", action="append", default=[], help=argparse.SUPPRESS)  # = --set ours:KEY=VALUE
    p.add_argument("--train-fraction", type=float, default=1.0,
                   help="train on a seeded subsample of this fraction of the training split (a learning curve "
                        "point); dev and test stay whole")
    p.add_argument("--init-tok2vec",
                   help="'ours' starts from these pretrained tok2vec weights (spacy pretrain's model*.bin); "
                        "its config needs a filled [pretraining] block and the same tok2vec settings")
    p.add_argument("--adapt-epochs", type=int, default=0,
                   help="with --init-tok2vec: first adapt those weights to the training split's own text for this "
                        "many epochs (python -m spacy lstm adapt-lm; ULMFiT's second step), then train 'ours' from "
                        "the adapted weights; 0 = no adaptation")
    p.add_argument("--code",
                   help="a Python file registering extra architectures (e.g. an experiment's tok2vec) for "
                        "training and evaluation; passed to spacy train --code with the bench logger")
    p.add_argument("--drop-model-last", action="store_true",
                   help="after evaluating each contender, delete the model-last directory its spacy train wrote "
                        "(only model-best is evaluated and timed; each copy holds the vectors, ~150 MB with "
                        "200k-bucket floret vectors, so runs over many seeds fill a disk)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    if not args.split and not (args.train and args.dev):
        p.error("give --split FILE, or --train and --dev")
    if not 0.0 < args.train_fraction <= 1.0:
        p.error(f"--train-fraction must be in (0, 1], got {args.train_fraction}")
    if args.init_tok2vec and not Path(args.init_tok2vec).is_file():
        p.error(f"--init-tok2vec {args.init_tok2vec}: no such file")
    if args.adapt_epochs < 0 or (args.adapt_epochs and not args.init_tok2vec):
        p.error("--adapt-epochs needs --init-tok2vec and must be >= 0")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    n_train, n_dev, tests = prepare_data(args, out)
    _, metrics, key_metric = TASKS[args.task]
    vectors = prepare_vectors(args, out)
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)}
    if args.code:
        code = Path(args.code).resolve()
        if not code.is_file():
            p.error(f"--code {args.code}: no such file")
        spacy.util.import_file("bench_extra_code", code)
        env["SPACY_LSTM_BENCH_CODE"] = str(code)
    results = {"args": vars(args), "train_docs": n_train, "dev_docs": n_dev, "contenders": {}}
    for name in args.contenders.split(","):
        workdir = out / name
        workdir.mkdir(exist_ok=True)
        config = contender_config(name, args, vectors is not None)
        config["training"]["logger"] = {"@loggers": "spacy_lstm_bench.JsonlLogger.v1", "path": str(workdir / "log.jsonl")}
        init_tok2vec = args.init_tok2vec if name == "ours" else None
        if init_tok2vec and not config["pretraining"]:
            raise SystemExit(f"{name}: --init-tok2vec needs a filled [pretraining] block (spaCy ignores it otherwise)")
        config.to_disk(workdir / "config.cfg")
        adapt_seconds = None
        if init_tok2vec and args.adapt_epochs:
            adapt = [sys.executable, "-m", "spacy", "lstm", "adapt-lm", str(workdir / "config.cfg"),
                     str(Path(init_tok2vec).resolve()), str(out / "train.spacy"), str(workdir / "adapted"),
                     "--epochs", str(args.adapt_epochs), "--overwrite", "--code", str(ROOT / "bench" / "bench_logger.py"),
                     "--paths.vectors", str(vectors) if vectors else "null", "--system.seed", str(args.seed)]
            adapt_seconds = run_timed(adapt, env, f"{name}: adapt-lm failed")
            init_tok2vec = str(workdir / "adapted" / "model-last.bin")
            print(f"{name}: adapted the weights to the training text in {adapt_seconds:.0f}s", flush=True)
        cmd = [sys.executable, "-m", "spacy", "train", str(workdir / "config.cfg"), "--output", str(workdir),
               "--code", str(ROOT / "bench" / "bench_logger.py"),
               "--paths.train", str(out / "train.spacy"), "--paths.dev", str(out / "dev.spacy"),
               "--paths.vectors", str(vectors) if vectors else "null",
               "--paths.init_tok2vec", str(Path(init_tok2vec).resolve()) if init_tok2vec else "null",
               "--training.max_steps", str(args.steps), "--training.eval_frequency", str(args.eval_frequency),
               "--training.patience", "0", "--system.seed", str(args.seed)]
        seconds = run_timed(cmd, env, f"{name}: spacy train failed")
        row = {"train_seconds": seconds, "adapt_seconds": adapt_seconds, "dev": evaluate(workdir / "model-best", out / "dev.spacy", args)}
        for split_name, path in tests.items():
            row[split_name] = evaluate(workdir / "model-best", path, args)
        results["contenders"][name] = row
        if args.drop_model_last:
            shutil.rmtree(workdir / "model-last", ignore_errors=True)
        print(f"{name:13s} {seconds:7.0f}s " + " ".join(f"{n}={100 * (row['dev'][k] or 0):.1f}" for k, n in metrics), flush=True)
    if "ours" in results["contenders"] and "calamancy_md" in results["contenders"]:
        target = results["contenders"]["calamancy_md"]["dev"][key_metric]
        secs, step = first_time_reaching(out / "ours" / "log.jsonl", key_metric, target)
        results["ours_reaches_calamancy_md"] = {"metric": key_metric, "target": target, "seconds": secs, "step": step,
                                                    "calamancy_md_train_seconds": results["contenders"]["calamancy_md"]["train_seconds"]}
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf8")
    lines = ["| contender | train s | " + " | ".join(n for _, n in metrics) + " |",
             "|---|---:|" + "---:|" * len(metrics)]
    for name, row in results["contenders"].items():
        for split_name in [k for k in row if k == "dev" or k.startswith("test:")]:
            cells = " | ".join(f"{100 * (row[split_name][k] or 0):.1f}" for k, _ in metrics)
            lines.append(f"| {name} ({split_name}) | {row['train_seconds']:.0f} | {cells} |")
    (out / "results.md").write_text("\n".join(lines) + "\n", encoding="utf8")
    print("\n".join(lines))
    if "ours_reaches_calamancy_md" in results:
        print(f"ours reaches calamancy_md's final dev {key_metric}:", results["ours_reaches_calamancy_md"])


if __name__ == "__main__":
    main()
