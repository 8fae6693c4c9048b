"""A pytest plugin that puts our architectures where spaCy's tests use its own.

``spacy.HashEmbedCNN.v2`` (the tok2vec most of spaCy's tests build) becomes
``spacy_lstm.LSTMTok2Vec.v2`` and ``spacy.MaxoutWindowEncoder.v2`` becomes
``spacy_lstm.LSTMEncoder.v1``, both in the registry and where spaCy's code and
tests call the Python functions directly. Loaded by ``run.py`` with ``-p``.
"""
from typing import List, Optional

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
    from spacy_lstm import LSTMTok2Vec_v2

    attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"] if subword_features else ["NORM"]
    return LSTMTok2Vec_v2(
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
    from spacy_lstm import LSTMEncoder

    return LSTMEncoder(width=width, depth=min(depth, MAX_DEPTH), dropout=0.1)


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
