"""spaCy's ``CharacterEmbed`` with its predictions' character ids cached per word.

spaCy's layer asks each doc for ``to_utf8_array``, which makes a Python
``Token`` for every token: at batch 256 that was an eighth of our tok2vec's
prediction time. Here the ids of each distinct word are computed once (from a
one-word doc, so exactly as spaCy computes them) and looked up by ORTH id.
The parameters, dimensions, name and output are spaCy's. Training reads the
same cached ids and then runs spaCy's own arithmetic, doc by doc, so its
output and gradient are spaCy's bit for bit (tested); in pretraining the
per-token ``to_utf8_array`` was 4 % of a step.
"""
from typing import Callable, List, Tuple

import numpy
from spacy.attrs import ORTH
from spacy.ml import _character_embed
from spacy.tokens import Doc
from thinc.api import Model
from thinc.types import Floats2d

from .word_cache import WordCache, stack_rows

# About 200 bytes per word with Python's dict and array overhead: 100,000
# words (most of the tokens of any corpus) are about 20 MB.
MAX_WORDS = 100_000


def CharacterEmbed(nM: int, nC: int) -> Model[List[Doc], List[Floats2d]]:
    """Embed the first and last ``nC // 2`` UTF-8 bytes of each word, ``nM``
    values per byte position (spaCy's ``CharacterEmbed``: same parameters and
    output; predictions look each word's bytes up in a cache)."""
    return Model(
        "charembed",
        forward,
        init=_character_embed.init,
        dims={"nM": nM, "nC": nC, "nO": nM * nC, "nV": 256},
        params={"E": None},
        attrs={"word_cache": WordCache(MAX_WORDS)},
    )


def char_ids(docs: List[Doc], nC: int, cache: WordCache) -> numpy.ndarray:
    """``doc.to_utf8_array(nr_char=nC)`` of every doc, concatenated."""
    if not docs:
        return numpy.zeros((0, nC), dtype="uint8")
    vocab = docs[0].vocab
    orths = numpy.concatenate([doc.to_array(ORTH) for doc in docs])

    def compute(missing: List[int]) -> List[numpy.ndarray]:
        words = [vocab.strings[key] for key in missing]
        return list(Doc(vocab, words=words, spaces=[False] * len(words)).to_utf8_array(nr_char=nC))

    return stack_rows(cache.lookup((vocab.strings,), orths, compute), nC, "uint8")


def forward(model: Model[List[Doc], List[Floats2d]], docs: List[Doc], is_train: bool) -> Tuple[List[Floats2d], Callable]:
    if docs is None or not docs:
        return _character_embed.forward(model, docs, is_train)
    E = model.get_param("E")
    nC, nM = model.get_dim("nC"), model.get_dim("nM")
    ids = model.ops.asarray(char_ids(docs, nC, model.attrs["word_cache"]))
    positions = model.ops.xp.arange(nC)
    lengths = numpy.cumsum([len(doc) for doc in docs])[:-1]
    if is_train:
        return _train_forward(model, model.ops.xp.split(ids, lengths), E, nC, nM)
    vectors = E[positions, ids[:, positions]].reshape((len(ids), nC * nM))
    output = [model.ops.as_contig(part) for part in model.ops.xp.split(vectors, lengths)]

    def backprop(d_output: List[Floats2d]) -> List[Doc]:
        raise ValueError("CharacterEmbed: no gradient from a prediction (is_train=False)")

    return output, backprop


def _train_forward(model: Model, ids: List, E, nC: int, nM: int) -> Tuple[List[Floats2d], Callable]:
    """spaCy's training pass (``spacy.ml._character_embed.forward``), doc by
    doc with the same operations, from the ids of each doc."""
    positions = model.ops.xp.arange(nC)
    output = []
    for doc_ids in ids:
        doc_vectors = model.ops.alloc3f(len(doc_ids), nC, nM)
        doc_vectors[:, positions] = E[positions, doc_ids[:, positions]]
        output.append(doc_vectors.reshape((len(doc_ids), nC * nM)))

    def backprop(d_output: List[Floats2d]) -> List[Doc]:
        dE = model.ops.alloc(E.shape, dtype=E.dtype)
        for doc_ids, d_doc_vectors in zip(ids, d_output):
            d_doc_vectors = d_doc_vectors.reshape((len(doc_ids), nC, nM))
            dE[positions, doc_ids[:, positions]] += d_doc_vectors[:, positions]
        model.inc_grad("E", dE)
        return []

    return output, backprop


__all__ = ["CharacterEmbed", "char_ids"]
