"""``spacy_lstm.TextCatReduce.v1``: spaCy's ``TextCatReduce.v1`` that accepts empty docs."""
from typing import List, Optional

from spacy.ml.models.textcat import build_reduce_text_classifier
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, chain
from thinc.types import Floats2d

from ..layers.empty_docs import empty_docs_as_zero_row


@registry.architectures("spacy_lstm.TextCatReduce.v1")
def TextCatReduce(
    tok2vec: Model[List[Doc], List[Floats2d]],
    exclusive_classes: bool,
    use_reduce_first: bool,
    use_reduce_last: bool,
    use_reduce_max: bool,
    use_reduce_mean: bool,
    nO: Optional[int] = None,
) -> Model[List[Doc], Floats2d]:
    """spaCy's ``spacy.TextCatReduce.v1`` (same arguments, same pooling and
    output layer) with empty docs defined: an empty text is pooled as one
    zero vector (:mod:`spacy_lstm.layers.empty_docs`), so it gets the output
    layer's prior instead of failing its whole batch.

    tok2vec (Model): The tok2vec to pool over (usually a listener).
    exclusive_classes (bool): Whether classes are mutually exclusive.
    use_reduce_first, use_reduce_last, use_reduce_max, use_reduce_mean (bool):
        The poolings to concatenate, as in spaCy's.
    nO (Optional[int]): Number of classes.
    """
    width = tok2vec.maybe_get_dim("nO")
    safe = chain(tok2vec, empty_docs_as_zero_row(width))
    return build_reduce_text_classifier(safe, exclusive_classes, use_reduce_first, use_reduce_last,
                                        use_reduce_max, use_reduce_mean, nO)
