"""``empty_docs_as_zero_row``: give every empty doc one zero row.

Pooling layers (thinc's ``reduce_max``, ``reduce_first``, ``reduce_last``)
are undefined on an empty sequence and fail the whole batch ("all sequence
lengths must be > 0"), so one empty string among a corpus's texts stopped
``nlp.pipe``. After this layer an empty doc is one all-zero token: every
pooling is defined (zeros) and the classifier gives it the output of its
bias, a fixed prior. Non-empty docs pass through unchanged, and empty docs
get no gradient.
"""
from typing import Callable, List, Optional, Tuple

from thinc.api import Model
from thinc.types import Floats2d


def empty_docs_as_zero_row(width: Optional[int] = None) -> Model[List[Floats2d], List[Floats2d]]:
    """Each ``(0, width)`` array becomes ``(1, width)`` zeros; others unchanged."""
    return Model("empty_docs_as_zero_row", forward, dims={"nI": width, "nO": width}, init=init)


def init(model: Model, X: Optional[List[Floats2d]] = None, Y=None) -> None:
    if X:
        width = X[0].shape[1]
        model.set_dim("nI", width)
        model.set_dim("nO", width)


def forward(model: Model, Xs: List[Floats2d], is_train: bool) -> Tuple[List[Floats2d], Callable]:
    empty = [i for i, x in enumerate(Xs) if x.shape[0] == 0]
    if not empty:
        return Xs, lambda dYs: dYs
    Ys = list(Xs)
    for i in empty:
        Ys[i] = model.ops.alloc2f(1, Xs[i].shape[1])

    def backprop(dYs: List[Floats2d]) -> List[Floats2d]:
        dXs = list(dYs)
        for i in empty:
            dXs[i] = model.ops.alloc2f(0, Xs[i].shape[1])
        return dXs

    return Ys, backprop
