"""Our floret hashing gives exactly the vectors spaCy computes from our table."""
import random

import numpy
import pytest
import spacy

from spacy_lstm.vectors.export import write_floret, write_spacy_dir
from spacy_lstm.vectors.floret_hash import FloretHasher, floret_ngrams
from spacy_lstm.vectors.murmur import murmurhash3_x64_128


def test_murmurhash3_x64_128_known_values():
    assert murmurhash3_x64_128(b"", 0) == (0, 0)
    h1, h2 = murmurhash3_x64_128(b"The quick brown fox jumps over the lazy dog", 0)
    assert (h1, h2) == (0xE34BBC7BBC071B6C, 0x7A433CA9C49A9347)


def test_ngrams_follow_spacy_order():
    assert floret_ngrams("ng", 3, 4) == ["<ng>", "<ng", "ng>", "<ng>"]
    assert floret_ngrams("", 3, 5) == []


def _random_strings(n: int, seed: int):
    rng = random.Random(seed)
    tagalog = ["bahay", "mag-aaral", "Niño", "kumain", "pag-ibig", "ñ", "Parañaque", "ng", "mga", "araw-araw"]
    emoji = ["😀", "🇵🇭", "❤️", "👍🏽"]
    pools = [
        lambda: "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABC-'.0123") for _ in range(rng.randint(1, 25))),
        lambda: rng.choice(tagalog) + rng.choice(["", "-", "ñ", "ng", "han"]) + rng.choice(tagalog),
        lambda: rng.choice(emoji) * rng.randint(1, 3) + rng.choice(tagalog + [""]),
        lambda: "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 12))),
    ]
    strings = [""] + [rng.choice(pools)() for _ in range(n - 1)]
    return strings


@pytest.mark.parametrize("minn,maxn,hash_count,bucket", [(3, 5, 2, 5003), (2, 4, 4, 997), (3, 6, 1, 20000)])
def test_rows_reproduce_spacy_floret_vectors(tmp_path, minn, maxn, hash_count, bucket):
    rng = numpy.random.default_rng(0)
    table = rng.standard_normal((bucket, 6)).astype("float32")
    text = tmp_path / "vectors.floret"
    write_floret(text, table, minn, maxn, hash_count)
    write_spacy_dir(text, tmp_path / "nlp", "tl", "floret", name="test.vectors")
    nlp = spacy.load(tmp_path / "nlp")
    exported = nlp.vocab.vectors.data
    hasher = FloretHasher(minn, maxn, hash_count, bucket)
    strings = _random_strings(1000, seed=bucket)
    ours = numpy.vstack([hasher.vector(numpy.asarray(exported), s) for s in strings])
    theirs = numpy.vstack([nlp.vocab.get_vector(s) for s in strings])
    assert ours.shape == theirs.shape == (1000, 6)
    assert numpy.abs(ours - theirs).max() < 1e-5
    assert numpy.abs(theirs[1:]).sum(axis=1).min() > 0, "non-empty strings get non-zero vectors"
    # The text export itself round-trips to the table we wrote.
    assert numpy.abs(numpy.asarray(exported) - table).max() < 1e-5
