"""LSTMTok2Vec and word dropout."""
import numpy
import pytest
import spacy
from thinc.api import fix_random_seed

from spacy_lstm import LSTMTok2Vec
from spacy_lstm.layers import word_dropout


def test_word_dropout_rate_and_gradient_mask():
    fix_random_seed(0)
    layer = word_dropout(0.25)
    Xs = [numpy.ones((4000, 3), "f"), numpy.ones((0, 3), "f"), numpy.ones((1000, 3), "f")]
    assert layer.predict(Xs) is Xs
    Ys, backprop = layer.begin_update(Xs)
    flat = numpy.concatenate(Ys)
    dropped = (flat == 0).all(axis=1)
    assert ((flat == 0) | (flat == 1)).all()  # whole rows, no rescaling
    assert abs(dropped.mean() - 0.25) < 0.03
    dXs = backprop([numpy.full_like(y, 2.0) for y in Ys])
    numpy.testing.assert_array_equal(numpy.concatenate(dXs) == 0, flat == 0)


def test_word_dropout_is_not_overwritten_by_training_dropout():
    from thinc.api import set_dropout_rate

    model = LSTMTok2Vec(width=16, include_static_vectors=False, word_dropout_rate=0.05)
    set_dropout_rate(model, 0.4)
    rates = {n.name: n.attrs.get("rate", n.attrs.get("dropout_rate")) for n in model.walk()
             if n.name in ("word_dropout", "dropout")}
    assert rates == {"word_dropout": 0.05, "dropout": 0.4}


@pytest.mark.parametrize("char_width", [0, 4])
def test_tok2vec_shapes_and_deterministic_prediction(char_width):
    nlp = spacy.blank("tl")
    docs = [nlp("Nagluto si Lito ng sinigang na baboy."), nlp(""), nlp("Salamat po!")]
    model = LSTMTok2Vec(width=24, depth=1, include_static_vectors=False, char_width=char_width)
    model.initialize(X=docs)
    first = model.predict(docs)
    assert [y.shape for y in first] == [(len(d), 24) for d in docs]
    for a, b in zip(first, model.predict(docs)):
        numpy.testing.assert_array_equal(a, b)


def test_tok2vec_rejects_mismatched_rows():
    with pytest.raises(ValueError, match="attrs has 4 entries but rows has 2"):
        LSTMTok2Vec(width=16, rows=[100, 100])
