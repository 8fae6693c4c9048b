"""``spacy_lstm.Refine.v1``: what a tok2vec runs after its (pretrained) encoder."""
from typing import Any, Dict, List, Optional

from spacy.util import SimpleFrozenDict, registry
from thinc.api import Model, chain, list2ragged, ragged2list
from thinc.types import Floats2d

from .compact_embed import residual_window
from .lstm_encoder import LSTMEncoder, LSTMEncoder_v3, resolve_hidden_size

InT = List[Floats2d]


@registry.architectures("spacy_lstm.Refine.v1")
def Refine(
    width: int,
    depth: int = 1,
    hidden_size: Optional[int] = None,
    dropout: float = 0.2,
    window_size: int = 0,
    maxout_pieces: int = 2,
    mixed_precision: bool = False,
    grad_scaler_config: Dict[str, Any] = SimpleFrozenDict(),
    inference_precision: str = "fp32",
    dropout_from_training: bool = False,
) -> Model[InT, InT]:
    """Layers trained on the task only, over a pretrained encoder's output
    (the ``refine`` block of ``spacy_lstm.Tok2Vec.v1``): ``depth``
    bidirectional LSTM layers (``spacy_lstm.LSTMEncoder.v1``), where the two
    directions of a language-model encoder meet again (ELMo's task BiLSTM),
    then, with ``window_size`` > 0, one residual Maxout layer over each token
    and its ``window_size`` neighbours (explicit neighbours for NER).

    width (int): Input and output width. 128-512.
    depth (int): Bidirectional LSTM layers, >= 0. 0-1.
    hidden_size (Optional[int]): LSTM units per direction; None = width.
        128-512; smaller costs less at batch 1.
    dropout (float): Dropout inside the LSTM layers, [0, 1). 0.1-0.3.
    window_size (int): Neighbours on each side of the window layer; 0 = no
        window layer. 0-1.
    maxout_pieces (int): Maxout pieces of the window layer. 2-3.
    mixed_precision, grad_scaler_config, inference_precision: See
        ``spacy_lstm.LSTMEncoder.v1``.
    dropout_from_training (bool): The LSTM layers' dropout follows spaCy's
        ``[training] dropout`` (``spacy_lstm.LSTMEncoder.v3``) instead of
        staying at ``dropout`` (``.v1``, the default).
    """
    if depth < 0 or window_size < 0:
        raise ValueError(f"Refine: depth and window_size must be >= 0, got {depth} and {window_size}")
    if depth == 0 and window_size == 0:
        raise ValueError("Refine: depth and window_size are both 0, so there is nothing to refine; "
                         "leave the tok2vec's refine block out instead")
    layers: List[Model[InT, InT]] = []
    if depth:
        encoder = LSTMEncoder_v3 if dropout_from_training else LSTMEncoder
        layers.append(encoder(width=width, depth=depth, dropout=dropout,
                              hidden_size=resolve_hidden_size(width, hidden_size),
                              mixed_precision=mixed_precision, grad_scaler_config=grad_scaler_config,
                              inference_precision=inference_precision))
    if window_size:
        layers.append(chain(list2ragged(), residual_window(width, window_size, maxout_pieces), ragged2list()))
    return layers[0] if len(layers) == 1 else chain(*layers)


__all__ = ["Refine"]
