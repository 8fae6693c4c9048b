"""A tagger + parser on LSTMTok2Vec, trained with the real `spacy train` CLI on
the team's Tagalog sample, must learn.

Thresholds, computed from the data rather than hard-coded:
* tagging: beat the per-word most-frequent-tag baseline (trained on the same
  train split; unseen words get the overall most frequent tag) by 5 points.
  A model that merely memorised each word's usual tag cannot do that: it has
  to use context and subword features.
* parsing: unlabelled attachment at least twice the best trivial baseline
  (attach every token to its left or to its right neighbour).
"""
import sys
from collections import Counter, defaultdict

import pytest
import spacy
from spacy.tokens import DocBin
from spacy.training import Example

from conftest import ASSETS, ROOT, read_conllu_docs, run


def word_baseline_accuracy(train_docs, dev_docs):
    by_word = defaultdict(Counter)
    overall = Counter()
    for doc in train_docs:
        for token in doc:
            by_word[token.norm_][token.tag_] += 1
            overall[token.tag_] += 1
    fallback = overall.most_common(1)[0][0]
    tokens = [t for doc in dev_docs for t in doc]
    hits = sum(
        (by_word[t.norm_].most_common(1)[0][0] if t.norm_ in by_word else fallback) == t.tag_
        for t in tokens
    )
    return hits / len(tokens)


def adjacency_baseline_uas(dev_docs):
    tokens = [t for doc in dev_docs for t in doc]
    left = sum(t.head.i == t.i - 1 for t in tokens)
    right = sum(t.head.i == t.i + 1 for t in tokens)
    return max(left, right) / len(tokens)


@pytest.mark.slow
def test_spacy_train_learns_on_sample(tmp_path):
    nlp = spacy.blank("tl")
    splits = {}
    for split in ("train", "dev"):
        docs = read_conllu_docs(nlp, ASSETS / "ud" / f"tl_sample-ud-{split}.conllu")
        DocBin(docs=docs).to_disk(tmp_path / f"{split}.spacy")
        splits[split] = docs
    cmd = [
        sys.executable, "-m", "spacy", "train", str(ROOT / "configs" / "tagger_parser.cfg"),
        "--output", str(tmp_path / "out"),
        "--paths.train", str(tmp_path / "train.spacy"),
        "--paths.dev", str(tmp_path / "dev.spacy"),
        "--training.max_steps", "300",
        "--training.eval_frequency", "100",
        "--components.tok2vec.model.width", "128",
    ]
    result = run(cmd)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    trained = spacy.load(tmp_path / "out" / "model-last")
    assert trained.get_pipe("tok2vec").model.name.endswith("lstm_encoder")
    examples = [Example(trained.make_doc(d.text), d) for d in splits["dev"]]
    scores = trained.evaluate(examples)

    tag_floor = word_baseline_accuracy(splits["train"], splits["dev"]) + 0.05
    adjacency_uas = adjacency_baseline_uas(splits["dev"])
    assert scores["tag_acc"] > tag_floor, (scores["tag_acc"], tag_floor)
    assert scores["dep_uas"] > 2 * adjacency_uas, (scores["dep_uas"], 2 * adjacency_uas)
    assert scores["dep_las"] > adjacency_uas
