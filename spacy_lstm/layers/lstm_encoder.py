"""``spacy_lstm.LSTMEncoder.v1`` (a packed, residual (Bi)LSTM over a batch of
docs), ``.v2`` (two separate stacks that are true language models) and
``.v3`` (either, with its dropout set by spaCy's ``[training] dropout``)."""
import inspect
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
from spacy.util import SimpleFrozenDict, registry
from thinc.api import ArgsKwargs, Model, PyTorchGradScaler
from thinc.api import torch2xp, xp2torch
from thinc.types import Floats2d

from ..modules.bilm import BiLMStack, split_width
from ..modules.precision import predicts_in_bf16
from ..modules.residual_lstm import ResidualLSTM
from .dropout_rate import current_rate, dropout_rate_node
from .settings import bind_settings, setting
from .torch_shim import torch_wrapper

InT = List[Floats2d]
OutT = List[Floats2d]


@registry.architectures("spacy_lstm.LSTMEncoder.v1")
def LSTMEncoder(
    width: int,
    depth: int,
    dropout: float,
    bidirectional: bool = True,
    hidden_size: Optional[int] = None,
    mixed_precision: bool = False,
    grad_scaler_config: Dict[str, Any] = SimpleFrozenDict(),
    inference_precision: str = "fp32",
) -> Model[InT, OutT]:
    """Encode context with a stack of packed (Bi)LSTM layers, each wrapped in a
    residual connection and LayerNorm. Drops in wherever
    ``spacy.TorchBiLSTMEncoder.v1`` or ``spacy.MaxoutWindowEncoder.v2`` goes:
    input and output are one ``(n_tokens, width)`` array per doc.

    Sequences are packed by length, never padded, so a doc's output does not
    depend on the other docs in its batch; docs with no tokens give ``(0, width)``.

    width (int): Input and output width. 128-512; 256 matches calamanCy md.
    depth (int): Number of LSTM layers, >= 1. 1-3; each layer adds a full pass
        over the sequence, so speed falls roughly linearly with depth.
    dropout (float): Dropout on each layer's LSTM output before the residual sum,
        in [0, 1). 0.1-0.3. This is applied inside the PyTorch module and is
        *not* changed by spaCy's ``[training] dropout``.
    bidirectional (bool): Read each sequence in both directions (recommended for
        tagging and parsing).
    hidden_size (Optional[int]): LSTM state size per direction. Default:
        ``width // 2`` if bidirectional (``(width + 1) // 2`` for an odd width,
        with a projection back to ``width``), else ``width``. Any other value
        adds a linear projection back to ``width`` per layer.
    mixed_precision (bool): Run the LSTM under autocast (GPU only).
    grad_scaler_config (dict): Arguments for thinc's ``PyTorchGradScaler``,
        e.g. ``{"enabled": true}`` together with ``mixed_precision``.
    inference_precision (str): "fp32" (default), "bf16" or "auto": the
        precision of the LSTMs and their projections when predicting on the
        CPU (bfloat16 copies of the weights; the residual sums, LayerNorms and the output stay
        float32). "auto" is "bf16" where the CPU computes bfloat16 natively
        (AMX or AVX-512 BF16) and "fp32" elsewhere. Training and GPU work are
        always float32 here (see mixed_precision). See docs/benchmarks.md for
        speed and accuracy.
    """
    _check_args(width, depth, dropout)
    hidden_size = resolve_hidden_size(width, hidden_size, split_width=bidirectional)
    module = ResidualLSTM(width, hidden_size, depth, bidirectional, dropout,
                          inference_bf16=predicts_in_bf16(inference_precision))
    attrs = {"width": width, "depth": depth, "dropout": dropout, "bidirectional": bidirectional,
             "hidden_size": hidden_size}
    return _wrap("lstm_encoder", module, width, attrs, mixed_precision, grad_scaler_config)


@registry.architectures("spacy_lstm.LSTMEncoder.v2")
def LSTMEncoder_v2(
    width: int,
    depth: int,
    dropout: float,
    hidden_size: Optional[int] = None,
    mixed_precision: bool = False,
    grad_scaler_config: Dict[str, Any] = SimpleFrozenDict(),
    inference_precision: str = "fp32",
) -> Model[InT, OutT]:
    """Encode context with two separate LSTM stacks, one reading each doc left
    to right and one right to left, that never see the other side: the
    output's first ``ceil(width / 2)`` columns at token t depend only on
    tokens 0..t, its last ``width // 2`` columns only on tokens t..n-1, at
    every depth (ELMo's biLM). That is what lets ``spacy_lstm.PretrainBiLM.v1``
    train the encoder as a language model on raw text: each half predicts the
    next or the previous token without having read it. Input and output are
    one ``(n_tokens, width)`` array per doc, so it drops in where
    ``spacy_lstm.LSTMEncoder.v1`` goes; packed, never padded, batch-invariant.

    Each stack: a per-token linear map from ``width`` to its half, then
    ``depth`` layers ``h = LayerNorm(h + Dropout(Project(LSTM(h))))``.

    width (int): Input and output width; any value >= 2 (odd widths give the
        forward half one column more). 128-512.
    depth (int): LSTM layers per direction, >= 1. 1-3.
    dropout (float): Dropout on each layer's LSTM output, [0, 1). 0.1-0.3.
        Applied inside the PyTorch module, not set by ``[training] dropout``.
    hidden_size (Optional[int]): LSTM state size per direction; None (default)
        = width, projected back to the half width. 128-512.
    mixed_precision (bool): Run the LSTM under autocast (GPU only).
    grad_scaler_config (dict): Arguments for thinc's ``PyTorchGradScaler``.
    inference_precision (str): "fp32" (default), "bf16" or "auto", as for
        ``spacy_lstm.LSTMEncoder.v1``.
    """
    if not isinstance(width, int) or width < 2:
        raise ValueError(f"LSTMEncoder.v2: width must be an integer >= 2, got {width!r}")
    _check_args(width, depth, dropout)
    hidden_size = resolve_hidden_size(width, hidden_size)
    module = BiLMStack(width, hidden_size, depth, dropout, inference_bf16=predicts_in_bf16(inference_precision))
    attrs = {"width": width, "depth": depth, "dropout": dropout, "hidden_size": hidden_size,
             "halves": split_width(width)}
    return _wrap("bilm_encoder", module, width, attrs, mixed_precision, grad_scaler_config)


@registry.architectures("spacy_lstm.LSTMEncoder.v3")
def LSTMEncoder_v3(*args: Any, **kwargs: Any) -> Model[InT, OutT]:
    """``spacy_lstm.LSTMEncoder.v1`` (``language_model = false``) or ``.v2``
    (``true``: two separate stacks, pretrainable), with the dropout inside the
    LSTM stacks set by spaCy: ``[training] dropout`` and
    ``nlp.update(drop=...)`` reach it as they reach every Thinc ``Dropout``
    layer (Thinc's ``dropout_rate``), so ``drop=0`` trains without it.

    width (int): Input and output width. 128-512.
    depth (int): LSTM layers (per direction with ``language_model``), >= 1. 1-3.
    dropout (float): The rate until spaCy sets one, [0, 1). ``spacy train``
        sets ``[training] dropout`` on every update. 0.1-0.3.
    language_model (bool): Build v2's separate forward and backward stacks
        (ELMo's biLM) instead of v1's BiLSTM layers.
    bidirectional (bool): v1's setting; must be true with ``language_model``.
    hidden_size (Optional[int]): LSTM units per direction; None: half the
        width (v1), the width (``language_model``). 128-512.
    mixed_precision, grad_scaler_config, inference_precision: As in v1.
    """
    s = bind_settings(LSTMEncoder_v3, args, kwargs)
    if s.language_model and not s.bidirectional:
        raise ValueError("LSTMEncoder.v3: language_model = true reads both directions; "
                         "set bidirectional = true (or language_model = false)")
    if s.language_model:
        base = LSTMEncoder_v2(s.width, s.depth, s.dropout, s.hidden_size, s.mixed_precision, s.grad_scaler_config,
                              s.inference_precision)
    else:
        base = LSTMEncoder(s.width, s.depth, s.dropout, s.bidirectional, s.hidden_size, s.mixed_precision,
                           s.grad_scaler_config, s.inference_precision)
    return Model(base.name, _forward_following_dropout, init=init,
                 layers=[base.layers[0], dropout_rate_node(s.dropout)], dims={"nI": s.width, "nO": s.width},
                 attrs=base.attrs)


# v3's settings are v1's, with a default dropout and language_model after it
_V1 = inspect.signature(LSTMEncoder)
LSTMEncoder_v3.__signature__ = _V1.replace(parameters=[  # type: ignore[attr-defined]
    _V1.parameters["width"], _V1.parameters["depth"], _V1.parameters["dropout"].replace(default=0.1),
    setting("language_model", bool, False),
    *[p for name, p in _V1.parameters.items() if name not in ("width", "depth", "dropout")],
])


def _forward_following_dropout(model: Model[InT, OutT], Xs: InT, is_train: bool) -> Tuple[OutT, Callable]:
    """:func:`forward`, with the torch module's dropout at the rate spaCy set."""
    rate = current_rate(model.layers[1])
    for part in model.layers[0].shims[0]._model.modules():
        if isinstance(part, torch.nn.Dropout):
            part.p = rate
    return forward(model, Xs, is_train)


def _wrap(
    name: str,
    module: torch.nn.Module,
    width: int,
    attrs: Dict[str, Any],
    mixed_precision: bool,
    grad_scaler_config: Dict[str, Any],
) -> Model[InT, OutT]:
    """The Thinc model around a torch module mapping ``(X, lengths)`` to ``Y``."""
    wrapped = torch_wrapper(module, _convert_inputs, _convert_outputs, mixed_precision,
                            PyTorchGradScaler(**grad_scaler_config))
    return Model(name, forward, init=init, layers=[wrapped], dims={"nI": width, "nO": width}, attrs=attrs)


def resolve_hidden_size(width: int, hidden_size: Optional[int], split_width: bool = False) -> int:
    """LSTM units per direction, the one place every encoder and tok2vec
    resolves ``hidden_size``. An int is checked and kept. ``None`` means
    ``width`` (``LSTMEncoder.v2``, the v2/v3 tok2vecs, ``refine``), or with
    ``split_width`` (``LSTMEncoder.v1`` bidirectional, the v1 tok2vec) half the
    width, so the two directions side by side are ``width`` wide: an odd
    width gets ``(width + 1) // 2`` units and a projection back."""
    if hidden_size is None:
        return (width + 1) // 2 if split_width else width
    if not isinstance(hidden_size, int) or hidden_size < 1:
        raise ValueError(
            f"LSTMEncoder: hidden_size must be a positive integer or null, got {hidden_size!r}"
        )
    return hidden_size


def _check_args(width: int, depth: int, dropout: float) -> None:
    if not isinstance(width, int) or width < 1:
        raise ValueError(f"LSTMEncoder: width must be a positive integer, got {width!r}")
    if not isinstance(depth, int) or depth < 1:
        raise ValueError(f"LSTMEncoder: depth must be an integer >= 1, got {depth!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"LSTMEncoder: dropout must be in [0, 1), got {dropout!r}")


def init(model: Model[InT, OutT], X: Optional[InT] = None, Y: Optional[OutT] = None) -> None:
    if X:
        n_in = next((x.shape[1] for x in X if x.ndim == 2), model.get_dim("nI"))
        if n_in != model.get_dim("nI"):
            raise ValueError(
                f"LSTMEncoder: input width is {n_in} but the encoder was built with "
                f"width {model.get_dim('nI')}; the embedding must output `width` columns."
            )


def forward(model: Model[InT, OutT], Xs: InT, is_train: bool) -> Tuple[OutT, Callable]:
    if sum(len(x) for x in Xs) == 0:
        width = model.get_dim("nO")
        Ys = [model.ops.alloc2f(0, width) for _ in Xs]
        return Ys, lambda dYs: [model.ops.alloc2f(*x.shape) for x in Xs]
    return model.layers[0](Xs, is_train)


def _convert_inputs(
    model: Model, Xs: InT, is_train: bool
) -> Tuple[ArgsKwargs, Callable[[ArgsKwargs], InT]]:
    device = model.shims[0].device
    lengths = [len(x) for x in Xs]
    X = xp2torch(model.ops.flatten(Xs), requires_grad=is_train, device=device)
    lengths_t = torch.tensor(lengths, dtype=torch.int64)

    def backprop(d_inputs: ArgsKwargs) -> InT:
        return model.ops.unflatten(torch2xp(d_inputs.args[0]), lengths)

    return ArgsKwargs(args=(X, lengths_t), kwargs={}), backprop


def _convert_outputs(
    model: Model, Xs_Ytorch: Tuple[InT, torch.Tensor], is_train: bool
) -> Tuple[OutT, Callable[[OutT], ArgsKwargs]]:
    Xs, Ytorch = Xs_Ytorch
    lengths = [len(x) for x in Xs]
    Ys = model.ops.unflatten(torch2xp(Ytorch), lengths)

    def backprop(dYs: OutT) -> ArgsKwargs:
        dY = xp2torch(model.ops.flatten(dYs), device=Ytorch.device)
        return ArgsKwargs(args=((Ytorch,),), kwargs={"grad_tensors": (dY,)})

    return Ys, backprop
