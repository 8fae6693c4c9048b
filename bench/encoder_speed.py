"""Encoder throughput on the CPU: ours vs spaCy's built-in encoders, same docs.

Times predict and a training step (forward + backward) in words/s for
  * spacy_lstm.LSTMEncoder.v1          (width W, depth D)
  * spacy_lstm.LSTMEncoder.v2          (width W, depth D: separate forward/backward stacks)
  * spacy.TorchBiLSTMEncoder.v1         (width W, depth D)
  * spacy.MaxoutWindowEncoder.v2        (width 256, depth 8: calamanCy md's encoder)
on random input vectors shaped like the docs of a CoNLL-U or .spacy file (its
sentence lengths). Rounds alternate between encoders so machine noise hits all
of them alike; the median round is reported, with ratios to ours.

    python bench/encoder_speed.py ../shared/data/ud/tl_newscrawl-ud-dev.conllu --threads 2
"""
import argparse
import json
import statistics
import time
from pathlib import Path

import numpy
import spacy
import torch
from spacy.ml.models.tok2vec import BiLSTMEncoder, MaxoutWindowEncoder
from spacy.tokens import DocBin
from thinc.api import fix_random_seed

from spacy_lstm import LSTMEncoder, LSTMEncoder_v2


def doc_lengths(path: Path):
    if path.suffix == ".spacy":
        nlp = spacy.blank("xx")
        return [len(d) for d in DocBin().from_disk(path).get_docs(nlp.vocab)]
    from spacy_lstm.convert.conllu import read_conllu_docs

    lengths = [len(doc) for doc in read_conllu_docs(path)]
    return lengths


def time_round(model, batches, train: bool) -> float:
    words = sum(len(x) for batch in batches for x in batch)
    start = time.perf_counter()
    for batch in batches:
        if train:
            Ys, backprop = model.begin_update(batch)
            backprop(Ys)
        else:
            model.predict(batch)
    return words / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="CoNLL-U or .spacy file whose doc lengths to use")
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--hidden-size", type=int, default=None,
                        help="LSTM units per direction of ours (default: each encoder's own; "
                             "LSTMTok2Vec.v2 and .v3 use the width)")
    parser.add_argument("--batch-size", type=int, default=128, help="docs per batch")
    parser.add_argument("--max-docs", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bf16", action="store_true",
                        help="also measure LSTMEncoder.v1/.v2 with inference_precision = bf16 (prediction)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    fix_random_seed(args.seed)
    rng = numpy.random.default_rng(args.seed)
    lengths = doc_lengths(args.data)[: args.max_docs]

    def make_batches(width):
        docs = [rng.standard_normal((n, width)).astype("float32") for n in lengths]
        return [docs[i : i + args.batch_size] for i in range(0, len(docs), args.batch_size)]

    batches = make_batches(args.width)
    maxout_batches = batches if args.width == 256 else make_batches(256)
    contenders = {
        f"spacy_lstm.LSTMEncoder.v1 {args.width}x{args.depth}": (
            LSTMEncoder(width=args.width, depth=args.depth, dropout=0.0, hidden_size=args.hidden_size), batches),
        f"spacy_lstm.LSTMEncoder.v2 {args.width}x{args.depth}": (
            LSTMEncoder_v2(width=args.width, depth=args.depth, dropout=0.0, hidden_size=args.hidden_size), batches),
        f"spacy.TorchBiLSTMEncoder.v1 {args.width}x{args.depth}": (
            BiLSTMEncoder(width=args.width, depth=args.depth, dropout=0.0), batches),
        **({
            f"spacy_lstm.LSTMEncoder.v1 {args.width}x{args.depth} bf16": (
                LSTMEncoder(width=args.width, depth=args.depth, dropout=0.0, hidden_size=args.hidden_size,
                            inference_precision="bf16"), batches),
            f"spacy_lstm.LSTMEncoder.v2 {args.width}x{args.depth} bf16": (
                LSTMEncoder_v2(width=args.width, depth=args.depth, dropout=0.0, hidden_size=args.hidden_size,
                               inference_precision="bf16"), batches),
        } if args.bf16 else {}),
        "spacy.MaxoutWindowEncoder.v2 256x8": (
            MaxoutWindowEncoder(width=256, window_size=1, maxout_pieces=3, depth=8),
            maxout_batches),
    }
    for model, data in contenders.values():
        model.initialize(X=data[0])
        time_round(model, data[:2], train=True)  # warm up
    results = {}
    for mode in ("predict", "train"):
        rounds = {name: [] for name in contenders}
        for _ in range(args.rounds):
            for name, (model, data) in contenders.items():
                rounds[name].append(time_round(model, data, train=mode == "train"))
        for name, values in rounds.items():
            results.setdefault(name, {})[mode] = statistics.median(values)
    ours = next(iter(results))
    print(f"{len(lengths)} docs, {sum(lengths)} words, batch {args.batch_size} docs, "
          f"{args.threads} threads, torch {torch.__version__}")
    print("| encoder | predict words/s | train words/s | predict ratio ours/them | train ratio ours/them |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['predict']:,.0f} | {r['train']:,.0f} | "
              f"{results[ours]['predict'] / r['predict']:.2f} | "
              f"{results[ours]['train'] / r['train']:.2f} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
