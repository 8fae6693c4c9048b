"""spaCy's dropout reaches the LSTMs in the new versions (LSTMEncoder.v3,
LSTMTok2Vec.v4) and stays out of the released ones."""
import numpy
import pytest
import spacy
import torch
from thinc.api import fix_random_seed, set_dropout_rate

from spacy_lstm import LSTMEncoder, LSTMEncoder_v2, LSTMTok2Vec_v3
from spacy_lstm.layers.lstm_encoder import LSTMEncoder_v3
from spacy_lstm.models.tok2vec import LSTMTok2Vec_v4

TEXTS = ["Kumain ang bata ng saging sa kusina .", "Bukas ay pupunta kami sa Maynila !", "Oo"]
SMALL = dict(width=16, hidden_size=12, include_static_vectors=False, char_width=4, rows=[200, 100, 100, 100],
             refine_depth=1, refine_hidden_size=8, dropout=0.3, word_dropout_rate=0.3)


def _docs():
    nlp = spacy.blank("tl")
    return [nlp(text) for text in TEXTS]


def _torch_rates(model):
    return sorted({m.p for node in model.walk() for shim in node.shims for m in shim._model.modules()
                   if isinstance(m, torch.nn.Dropout)})


def _two_training_passes(model, docs):
    return [numpy.concatenate(model.begin_update(docs)[0]) for _ in range(2)]


def test_v4_follows_spacys_dropout_and_v3_does_not():
    docs = _docs()
    for build, follows in ((LSTMTok2Vec_v4, True), (LSTMTok2Vec_v3, False)):
        fix_random_seed(0)
        model = build(**SMALL)
        model.initialize(X=docs)
        set_dropout_rate(model, 0.0)  # what nlp.update(drop=0) does
        first, second = _two_training_passes(model, docs)
        # without any dropout a training pass is deterministic; with v3's own it is not
        assert numpy.array_equal(first, second) is follows
        set_dropout_rate(model, 0.25)
        model.begin_update(docs)
        assert _torch_rates(model) == ([0.25] if follows else [0.3])
        word = [n.attrs.get("dropout_rate", n.attrs.get("rate")) for n in model.walk() if "word_dropout" in
                (n.name, *n.attrs)]
        assert word == ([0.25] if follows else [0.3])


@pytest.mark.parametrize("language_model", [False, True])
def test_encoder_v3_predicts_as_v1_or_v2_from_the_same_weights(language_model):
    Xs = [numpy.random.RandomState(0).uniform(-1, 1, (n, 10)).astype("f") for n in (5, 1, 3)]
    fix_random_seed(0)
    old = LSTMEncoder_v2(10, 2, 0.2) if language_model else LSTMEncoder(10, 2, 0.2)
    fix_random_seed(0)
    new = LSTMEncoder_v3(10, 2, 0.2, language_model=language_model)
    old.initialize(X=Xs)
    new.initialize(X=Xs)
    for a, b in zip(old.predict(Xs), new.predict(Xs)):
        assert numpy.array_equal(a, b)


def test_encoder_v3_language_model_needs_both_directions():
    with pytest.raises(ValueError, match="set bidirectional = true"):
        LSTMEncoder_v3(8, 1, 0.1, language_model=True, bidirectional=False)
