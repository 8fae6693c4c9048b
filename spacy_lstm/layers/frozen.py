"""Freeze a pretrained part of a model: it predicts, it never learns."""
from typing import Callable, List, Tuple

from spacy.tokens import Doc
from thinc.api import Model
from thinc.types import Floats2d

InT = List[Doc]
OutT = List[Floats2d]

#: Set on a model's ``attrs`` when weights are loaded into it (see
#: ``Tok2VecModel.from_bytes``): a frozen layer refuses to train without.
WEIGHTS_LOADED = "weights_loaded"


def frozen(layer: Model[InT, OutT]) -> Model[InT, OutT]:
    """Run ``layer`` in prediction mode (no dropout) and send no gradient into
    it, so its weights stay exactly what was loaded (ELMo's frozen biLM; on a
    few hundred labelled sentences fine-tuning it forgets more than it learns).

    Training with it fails with one line unless weights were loaded into
    ``layer`` first (``[initialize] init_tok2vec``, or a saved pipeline):
    freezing random weights is always a mistake.
    """
    return Model(
        "frozen",
        forward,
        init=init,
        layers=[layer],
        dims={"nO": layer.get_dim("nO") if layer.has_dim("nO") else None},
    )


def init(model: Model[InT, OutT], X=None, Y=None) -> None:
    model.layers[0].initialize(X=X)


def forward(model: Model[InT, OutT], docs: InT, is_train: bool) -> Tuple[OutT, Callable]:
    layer = model.layers[0]
    if is_train and not layer.attrs.get(WEIGHTS_LOADED):
        raise ValueError(
            "spacy_lstm tok2vec: freeze_lm = true, but no pretrained weights were loaded into the "
            "language model; set [initialize] init_tok2vec (e.g. --paths.init_tok2vec "
            "pretrain/model-last.bin) or set [components.tok2vec.model] freeze_lm = false"
        )
    Y, _ = layer(docs, is_train=False)
    return Y, lambda dY: []


__all__ = ["WEIGHTS_LOADED", "frozen"]
