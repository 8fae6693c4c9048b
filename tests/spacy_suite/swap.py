"""A pytest plugin that puts our architectures where spaCy's tests use its own.

``spacy.HashEmbedCNN.v2`` (the tok2vec most of spaCy's tests build) becomes
one of our tok2vecs (``SPACY_LSTM_SUITE_TOK2VEC``: ``v2``, ``v3``, the
default, which every shipped config uses, or ``v4``) and
``spacy.MaxoutWindowEncoder.v2`` becomes ``spacy_lstm.LSTMEncoder.v1`` (with
v4: ``.v3``, whose dropout follows spaCy's), both in the registry and where
spaCy's code and tests call the Python functions directly. The tests known to
differ for that tok2vec (``run.py``'s ``expected_to_differ``) are marked
``xfail(strict=True)`` with their reason, so one that starts passing fails
the run and is noticed. Loaded by ``run.py`` with ``-p``.
"""
import os
from typing import List, Optional

import pytest

from spacy.tokens import Doc
from thinc.api import Model
from thinc.types import Floats2d

#: LSTM layers used in place of a CNN of any depth (spaCy's tests use 1-4
#: window layers; two LSTM layers see the whole doc).
MAX_DEPTH = 2


def lstm_hash_embed_cnn(
    *,
    width: int,
    depth: int,
    embed_size: int,
    window_size: int,
    maxout_pieces: int,
    subword_features: bool,
    pretrained_vectors: Optional[bool],
) -> Model[List[Doc], List[Floats2d]]:
    """``spacy.HashEmbedCNN.v2``'s signature, our tok2vec behind it."""
    from spacy.util import registry

    build = registry.architectures.get(f"spacy_lstm.LSTMTok2Vec.{tok2vec_version()}")
    attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"] if subword_features else ["NORM"]
    return build(
        width=width,
        depth=min(depth, MAX_DEPTH),
        include_static_vectors=bool(pretrained_vectors),
        attrs=attrs,
        rows=[embed_size] + [max(embed_size // 2, 1)] * (len(attrs) - 1),
        maxout_pieces=maxout_pieces,
    )


def lstm_window_encoder(
    width: int, window_size: int, maxout_pieces: int, depth: int
) -> Model[List[Floats2d], List[Floats2d]]:
    """``spacy.MaxoutWindowEncoder.v2``'s signature, our encoder behind it."""
    from spacy_lstm import LSTMEncoder, LSTMEncoder_v3

    encoder = LSTMEncoder_v3 if tok2vec_version() == "v4" else LSTMEncoder
    return encoder(width=width, depth=min(depth, MAX_DEPTH), dropout=0.1)


def tok2vec_version() -> str:
    """Which ``spacy_lstm.LSTMTok2Vec`` replaces spaCy's CNN."""
    version = os.environ.get("SPACY_LSTM_SUITE_TOK2VEC", "v3")
    if version not in ("v2", "v3", "v4"):
        raise ValueError(f"SPACY_LSTM_SUITE_TOK2VEC must be v2, v3 or v4, got {version!r}")
    return version


def pytest_configure(config) -> None:
    import spacy.ml.models
    import spacy.ml.models.tok2vec as spacy_tok2vec
    from spacy.util import registry

    registry.ensure_populated()
    registry.architectures.register("spacy.HashEmbedCNN.v2", func=lstm_hash_embed_cnn)
    registry.architectures.register("spacy.MaxoutWindowEncoder.v2", func=lstm_window_encoder)
    # some tests and spaCy's own builders call the functions, not the registry
    spacy_tok2vec.MaxoutWindowEncoder = lstm_window_encoder
    spacy_tok2vec.build_hash_embed_cnn_tok2vec = lstm_hash_embed_cnn
    spacy.ml.models.MaxoutWindowEncoder = lstm_window_encoder
    spacy.ml.models.build_hash_embed_cnn_tok2vec = lstm_hash_embed_cnn
    config.addinivalue_line("markers", "spacy_lstm_swap: spaCy's tests with spacy_lstm's architectures")


def pytest_collection_modifyitems(config, items) -> None:
    """Each test expected to differ with this tok2vec: a strict xfail with its reason."""
    from tests.spacy_suite.run import expected_to_differ

    expected = expected_to_differ(tok2vec_version())
    for item in items:
        reason = expected.get(item.nodeid, expected.get(item.nodeid.split("[")[0]))
        if reason is not None:
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"LSTMTok2Vec.{tok2vec_version()}: {reason}"))
