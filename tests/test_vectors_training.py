"""Training vectors: learning, planted structure, reproducibility, spaCy use."""
import json
import random
import sys
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.tokens import DocBin

from spacy_lstm.vectors import VectorsConfig, train_vectors
from spacy_lstm.vectors.corpus import encode_corpus, make_tokenizer
from spacy_lstm.vectors.train import fit_vectors

from conftest import ASSETS, ROOT, read_conllu_docs, run

N_PAIRS = 12


def _name(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(3))


def planted_corpus(path: Path, seed: int = 0, sentences: int = 4000) -> list:
    """Pairs (a_i, b_i) that share a private set of context words, in noise.

    a_i and b_i never share characters by construction of the test's intent
    (random syllables), so only their contexts can make them neighbours.
    """
    rng = random.Random(seed)
    names = set()
    while len(names) < N_PAIRS * 2 + N_PAIRS * 4 + 60:
        names.add(_name(rng))
    names = sorted(names)
    rng.shuffle(names)
    pairs = [(names[2 * i], names[2 * i + 1]) for i in range(N_PAIRS)]
    contexts = [names[2 * N_PAIRS + 4 * i : 2 * N_PAIRS + 4 * i + 4] for i in range(N_PAIRS)]
    fillers = names[6 * N_PAIRS :]
    lines = []
    for _ in range(sentences):
        i = rng.randrange(N_PAIRS)
        word = rng.choice(pairs[i])
        ctx = rng.sample(contexts[i], 3)
        left = [rng.choice(fillers) for _ in range(rng.randint(0, 3))]
        right = [rng.choice(fillers) for _ in range(rng.randint(0, 3))]
        lines.append(" ".join(left + [ctx[0], ctx[1], word, ctx[2]] + right))
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return pairs


def _nearest(words, table, word):
    index = {w: i for i, w in enumerate(words)}
    normed = table / numpy.linalg.norm(table, axis=1, keepdims=True)
    sims = normed @ normed[index[word]]
    sims[index[word]] = -2
    return words[int(sims.argmax())]


def _config(mode: str, **overrides) -> VectorsConfig:
    settings = dict(
        mode=mode, dim=32, window=3, negative=5, min_count=1, sample=0.0, epochs=4,
        tokenizer="whitespace", batch_size=256, bucket=20000, seed=0, threads=1,
    )
    settings.update(overrides)
    return VectorsConfig(**settings)


def _train_in_memory(inputs, config):
    trainer, result = fit_vectors(inputs, config)
    return trainer.vocab.words, trainer.word_vectors(), result


@pytest.mark.parametrize("mode", ["word", "floret"])
def test_loss_falls_and_planted_pairs_are_neighbours(tmp_path, mode):
    pairs = planted_corpus(tmp_path / "planted.txt")
    words, table, result = _train_in_memory([tmp_path / "planted.txt"], _config(mode))
    assert result.epoch_losses[-1] < 0.85 * result.epoch_losses[0], result.epoch_losses
    hits = sum(_nearest(words, table, a) == b for a, b in pairs)
    hits += sum(_nearest(words, table, b) == a for a, b in pairs)
    assert hits >= int(0.9 * 2 * N_PAIRS), f"{hits} of {2 * N_PAIRS} planted neighbours recovered"


def test_untrained_vectors_do_not_recover_pairs(tmp_path):
    """The planted-pair check has power: one tiny step at lr ~0 finds ~nothing."""
    pairs = planted_corpus(tmp_path / "planted.txt", sentences=300)
    words, table, _ = _train_in_memory([tmp_path / "planted.txt"], _config("word", epochs=1, lr=1e-6))
    hits = sum(_nearest(words, table, a) == b for a, b in pairs)
    assert hits <= N_PAIRS // 3


def test_same_seed_same_vectors_other_seed_other_vectors(tmp_path):
    planted_corpus(tmp_path / "planted.txt", sentences=500)
    runs = [_train_in_memory([tmp_path / "planted.txt"], _config("floret", epochs=1, seed=s))[1] for s in (3, 3, 4)]
    assert numpy.array_equal(runs[0], runs[1])
    assert not numpy.allclose(runs[0], runs[2])


def test_reads_conllu_and_docbin_inputs(tmp_path):
    conllu = ASSETS / "ud" / "tl_sample-ud-train.conllu"
    docs = read_conllu_docs(spacy.blank("tl"), conllu)
    DocBin(docs=docs).to_disk(tmp_path / "sample.spacy")
    cfg = _config("word", epochs=1, tokenizer="spacy")
    for source in (conllu, tmp_path / "sample.spacy"):
        corpus = encode_corpus([source], tmp_path / "s.i32", make_tokenizer("spacy"))
        assert corpus.n_lines == len(docs)
        words = set(corpus.words)
        assert {"ang", "ng", "sa"} <= words
        assert corpus.n_tokens >= 0.9 * sum(len(d) for d in docs)
    out = train_vectors([conllu, tmp_path / "sample.spacy"], tmp_path / "vec", cfg)
    assert out.n_tokens > 2 * sum(len(d) for d in docs) * 0.9


@pytest.mark.slow
def test_vectors_dir_initialises_a_real_spacy_train(tmp_path):
    """Our floret output as [initialize] vectors of a real `spacy train` run."""
    nlp = spacy.blank("tl")
    for split in ("train", "dev"):
        docs = read_conllu_docs(nlp, ASSETS / "ud" / f"tl_sample-ud-{split}.conllu")
        DocBin(docs=docs).to_disk(tmp_path / f"{split}.spacy")
    vec_dir = tmp_path / "vectors"
    code = run(
        [sys.executable, "-m", "spacy_lstm", "train-vectors", str(ASSETS / "ud" / "tl_sample-ud-train.conllu"),
         str(vec_dir), "--mode", "floret", "--dim", "24", "--bucket", "3000", "--min-count", "1",
         "--epochs", "2", "--quiet"],
    )
    assert code.returncode == 0, code.stderr
    assert "words/s" in code.stdout
    info = json.loads((vec_dir / "training.json").read_text())
    assert info["config"]["mode"] == "floret" and (vec_dir / "vectors.floret").exists()
    cmd = [
        sys.executable, "-m", "spacy", "train", str(ROOT / "configs" / "tagger_parser.cfg"),
        "--output", str(tmp_path / "out"),
        "--paths.train", str(tmp_path / "train.spacy"), "--paths.dev", str(tmp_path / "dev.spacy"),
        "--paths.vectors", str(vec_dir),
        "--components.tok2vec.model.include_static_vectors", "true",
        "--components.tok2vec.model.width", "64",
        "--training.max_steps", "20", "--training.eval_frequency", "10",
    ]
    result = run(cmd)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    trained = spacy.load(tmp_path / "out" / "model-last")
    assert trained.vocab.vectors.mode == "floret"
    assert trained.vocab.vectors.shape == (3000, 24)
    ours = spacy.load(vec_dir)
    unseen = "pinakamagagandahan"
    assert numpy.allclose(trained.vocab.get_vector(unseen), ours.vocab.get_vector(unseen))
    assert numpy.abs(trained.vocab.get_vector(unseen)).sum() > 0
    doc = trained("Kumain ang bata ng mangga sa bahay.")
    assert all(t.tag_ for t in doc) and all(t.dep_ for t in doc)
