"""A dropout rate that spaCy sets, for dropout applied elsewhere.

spaCy's ``[training] dropout`` and ``nlp.update(drop=...)`` reach a model
through Thinc's ``set_dropout_rate``, which sets ``attrs["dropout_rate"]``
on every node named ``"dropout"``. A layer whose dropout happens outside
Thinc (inside a PyTorch module, or word dropout) keeps one of these nodes
among its layers and reads the rate from it on each call, so it follows the
same setting as every Thinc ``Dropout`` layer of the pipeline.
"""
from typing import Callable, Tuple, TypeVar

from thinc.api import Model

T = TypeVar("T")


def dropout_rate_node(rate: float) -> Model[T, T]:
    """A node that only holds ``rate`` where ``set_dropout_rate`` finds it
    (its forward pass is the identity; its owner reads :func:`current_rate`)."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {rate!r}")
    return Model("dropout", _identity, attrs={"dropout_rate": rate})


def current_rate(node: Model) -> float:
    """The rate spaCy last set on ``node`` (its initial rate until then)."""
    return float(node.attrs["dropout_rate"])


def _identity(model: Model[T, T], X: T, is_train: bool) -> Tuple[T, Callable[[T], T]]:
    return X, lambda dY: dY


__all__ = ["current_rate", "dropout_rate_node"]
