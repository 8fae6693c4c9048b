"""spaCy's ``StaticVectors`` with floret vectors cached per word.

A floret vector is the mean of the rows its word's character n-grams hash
to; spaCy's ``Vectors.get_batch`` hashes every n-gram of every distinct word
of each batch again, in Python: at batch 256 that was a sixth of our tok2vec's
prediction time. Here each distinct word's vector is computed once, by
spaCy's ``get_batch`` itself (so exactly as spaCy computes it), and looked up
by its key, in prediction and in training (pretraining reads each batch's
vectors afresh: 7 % of a bf16 pretraining step). Parameters, dimensions,
name, output, dropout mask and gradient are spaCy's (the tests compare them
with spaCy's forward pass exactly); word-mode (non-floret) vectors run
spaCy's own forward pass unchanged.
"""
from typing import Callable, List, Optional, Tuple, cast

import numpy
from spacy.attrs import ORTH
from spacy.ml import staticvectors
from spacy.ml.staticvectors import _get_drop_mask
from spacy.tokens import Doc
from spacy.vectors import Mode, Vectors
from thinc.api import Model
from thinc.initializers import glorot_uniform_init
from thinc.types import Floats2d, Ragged
from thinc.util import partial

from .word_cache import WordCache, stack_rows

# A vector of 200 float32 values is 800 bytes, about 1 KB with Python's
# overhead: 50,000 words are about 50 MB.
MAX_WORDS = 50_000


def StaticVectors(nO: Optional[int] = None, nM: Optional[int] = None, *,
                  dropout: Optional[float] = None) -> Model[List[Doc], Ragged]:
    """Project each token's static vector (``nlp.vocab.vectors``, keyed by
    ORTH) to ``nO`` with a learned matrix (spaCy's ``StaticVectors``: same
    parameters and output; predictions with floret vectors look each word's
    vector up in a cache)."""
    return Model(
        "static_vectors",
        forward,
        init=partial(staticvectors.init, glorot_uniform_init),
        params={"W": None},
        attrs={"key_attr": "ORTH", "dropout_rate": dropout, "word_cache": WordCache(MAX_WORDS)},
        dims={"nO": nO, "nM": nM},
    )


def forward(model: Model[List[Doc], Ragged], docs: List[Doc], is_train: bool) -> Tuple[Ragged, Callable]:
    vectors = docs[0].vocab.vectors if docs else None
    if not sum(len(doc) for doc in docs) or not isinstance(vectors, Vectors) or vectors.mode != Mode.floret:
        return staticvectors.forward(model, docs, is_train)
    data = vectors.data
    if not isinstance(data, numpy.ndarray):
        # on a GPU, spaCy's own pass
        return staticvectors.forward(model, docs, is_train)
    keys = model.ops.flatten([doc.to_array(getattr(vectors, "attr", ORTH)) for doc in docs])
    cache: WordCache = model.attrs["word_cache"]

    def compute(missing: List[int]) -> List[Floats2d]:
        return list(vectors.get_batch(missing))

    rows = cache.lookup((vectors, data), keys, compute)
    V = model.ops.asarray(stack_rows(rows, data.shape[1], data.dtype))
    W = cast(Floats2d, model.ops.as_contig(model.get_param("W")))
    output = Ragged(model.ops.gemm(model.ops.as_contig(V), W, trans2=True),
                    model.ops.asarray1i([len(doc) for doc in docs]))
    # training: spaCy's own dropout mask and gradient, on the same rows
    mask = _get_drop_mask(model.ops, W.shape[0], model.attrs.get("dropout_rate")) if is_train else None
    if mask is not None:
        output.data *= mask

    def backprop(d_output: Ragged) -> List[Doc]:
        if not is_train:
            raise ValueError("StaticVectors: no gradient from a prediction (is_train=False)")
        if mask is not None:
            d_output.data *= mask
        model.inc_grad("W", model.ops.gemm(cast(Floats2d, d_output.data), model.ops.as_contig(V), trans1=True))
        return []

    return output, backprop


__all__ = ["StaticVectors"]
