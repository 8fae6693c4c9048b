"""Word dropout: zero whole token vectors at training time."""
from typing import Callable, List, Tuple

from thinc.api import Model
from thinc.types import Floats2d

InT = List[Floats2d]


def word_dropout(rate: float, from_training: bool = False) -> Model[InT, InT]:
    """Replace each token's embedding by zeros with probability ``rate`` while
    training (no rescaling; the LSTM must then guess the word from context, as
    with an unknown word). Identity at prediction time.

    By default the layer is named ``word_dropout``, not ``dropout``, so
    spaCy's ``[training] dropout`` does not overwrite its rate (the released
    tok2vecs). With ``from_training`` it is a node named ``dropout`` whose
    ``dropout_rate`` spaCy sets on every update, as for Thinc's ``Dropout``
    (``rate`` is its rate until then).
    """
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"word_dropout: rate must be in [0, 1), got {rate!r}")
    if from_training:
        return Model("dropout", forward, attrs={"dropout_rate": rate, "word_dropout": True})
    return Model("word_dropout", forward, attrs={"rate": rate})


def forward(model: Model[InT, InT], Xs: InT, is_train: bool) -> Tuple[InT, Callable]:
    rate = model.attrs["dropout_rate"] if "dropout_rate" in model.attrs else model.attrs["rate"]
    if not is_train or rate == 0.0 or not Xs:
        return Xs, lambda dYs: dYs
    ops = model.ops
    lengths = [len(x) for x in Xs]
    X = ops.flatten(Xs)
    keep = (ops.xp.random.uniform(size=(X.shape[0], 1)) >= rate).astype(X.dtype)
    Ys = ops.unflatten(X * keep, lengths)

    def backprop(dYs: InT) -> InT:
        return ops.unflatten(ops.flatten(dYs) * keep, lengths)

    return Ys, backprop
