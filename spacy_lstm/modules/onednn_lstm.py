"""One direction of a bfloat16 prediction LSTM with its weights packed for oneDNN once.

``torch.lstm`` hands oneDNN the weights in PyTorch's plain layout, and
oneDNN reorders them into its own layout on every call: about 100 us of a
200-400 us call over one short doc (bf16, 512 inputs, 256 hidden, AVX-512
BF16 EPYC, 2 threads), and ud.cfg's tok2vec makes 8 such calls per doc.
Here the reorder runs once per weights (``mkldnn._reorder_mkldnn_rnn_layer_weight``,
the op PyTorch's own compiler uses when it freezes a model) and each call
runs ``aten.mkldnn_rnn_layer``, the kernel ``torch.lstm`` itself calls, with
the packed weights: the same result. Before its first use, a packing is
checked against ``torch.lstm`` on a small input and used only when the
outputs are equal bit for bit; where the ops are missing (older PyTorch),
fail, or differ, ``torch.lstm`` runs as before.

Only for prediction copies (:func:`~spacy_lstm.modules.precision.bf16_copy`):
their parameters never change (a change of the original makes a new copy),
so the packed weights stored on them cannot go stale.
"""
from typing import Callable, Dict, Optional, Tuple

import torch
from torch import nn

State = Tuple[torch.Tensor, torch.Tensor]
DirectionCall = Callable[[torch.Tensor, State], Tuple[torch.Tensor, State]]

_PACKED = "_spacy_lstm_onednn_packed"  # attribute of the nn.LSTM: {(suffix, batch): (packed weights or None, call)}
_LSTM_MODE = 2  # oneDNN's (ideep::rnn_kind) LSTM

#: Time steps per kernel call of a bfloat16 prediction LSTM (longer grids run
#: in slices of this many steps, each from the state the one before ended in;
#: see :mod:`spacy_lstm.modules.padded_lstm`); the weights are packed for it.
PREDICT_STEPS = 64

#: The parameters of one direction of a single-layer ``nn.LSTM``, in
#: ``torch.lstm``'s order, without their direction suffix.
WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _ops_available() -> bool:
    try:
        return (torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_reorder_mkldnn_rnn_layer_weight")
                and hasattr(torch.ops.aten, "mkldnn_rnn_layer"))
    except (AttributeError, RuntimeError):
        return False


_OPS_AVAILABLE = _ops_available()


def _weights(lstm: nn.LSTM, suffix: str):
    names = WEIGHT_NAMES if lstm.bias else WEIGHT_NAMES[:2]
    return [getattr(lstm, name + suffix) for name in names]


def _plain_call(lstm: nn.LSTM, suffix: str) -> DirectionCall:
    params = _weights(lstm, suffix)

    def call(x: torch.Tensor, state: State) -> Tuple[torch.Tensor, State]:
        out, h, c = torch.lstm(x, state, params, lstm.bias, 1, 0.0, False, False, False)
        return out, (h, c)

    return call


def _packed_call(lstm: nn.LSTM, suffix: str, packed) -> DirectionCall:
    _, _, bias_ih, bias_hh = _weights(lstm, suffix)
    hidden = lstm.hidden_size

    def call(x: torch.Tensor, state: State) -> Tuple[torch.Tensor, State]:
        with torch.no_grad():
            out, h, c, _ = torch.ops.aten.mkldnn_rnn_layer(x, packed[0], packed[1], bias_ih, bias_hh, state[0],
                                                           state[1], False, [], _LSTM_MODE, hidden, 1, True,
                                                           False, False, False)
        return out, (h, c)

    return call


def _pack(lstm: nn.LSTM, suffix: str, batch: int):
    """The packed weights of one direction, or None where they cannot be
    used (the ops fail or give another result than ``torch.lstm``)."""
    weight_ih, weight_hh = _weights(lstm, suffix)[:2]
    try:
        with torch.no_grad():
            packed = torch.ops.mkldnn._reorder_mkldnn_rnn_layer_weight(
                weight_ih, weight_hh, lstm.hidden_size, False, True, False, [PREDICT_STEPS, batch, lstm.input_size])
            generator = torch.Generator().manual_seed(0)
            x = torch.randn((5, batch, lstm.input_size), generator=generator).to(weight_ih.dtype)
            zeros = x.new_zeros((1, batch, lstm.hidden_size))
            expected = _plain_call(lstm, suffix)(x, (zeros, zeros))
            got = _packed_call(lstm, suffix, packed)(x, (zeros, zeros))
    except (RuntimeError, TypeError, AttributeError):
        return None
    same = all(torch.equal(a, b) for a, b in zip((expected[0], *expected[1]), (got[0], *got[1])))
    return packed if same else None


def direction_call(lstm: nn.LSTM, suffix: str, batch: int) -> DirectionCall:
    """``(x, (h, c)) -> (output, (h, c))`` for one direction (``suffix``
    ``"_l0"`` or ``"_l0_reverse"``) of single-layer ``lstm`` over
    ``(time, batch, input)`` grids: with the weights packed once when
    ``lstm`` is a bfloat16 CPU copy whose parameters take no gradient
    (prediction), else ``torch.lstm``."""
    key = (suffix, batch)
    cache: Optional[Dict[Tuple[str, int], tuple]] = lstm.__dict__.get(_PACKED)
    if cache is not None and key in cache:
        return cache[key][1]
    weight = lstm.weight_ih_l0
    if (not _OPS_AVAILABLE or weight.dtype != torch.bfloat16 or weight.device.type != "cpu"
            or weight.requires_grad or lstm.num_layers != 1 or lstm.proj_size or not lstm.bias
            or lstm.batch_first):
        return _plain_call(lstm, suffix)
    packed = _pack(lstm, suffix, batch)
    call = _packed_call(lstm, suffix, packed) if packed is not None else _plain_call(lstm, suffix)
    # the copy's parameters never change: its packing and call are kept with it
    lstm.__dict__.setdefault(_PACKED, {})[key] = (packed, call)
    return call


def packed_directions(lstm: nn.LSTM) -> int:
    """How many (direction, batch size) packings ``lstm`` holds and uses (for tests)."""
    return sum(packed is not None for packed, _ in lstm.__dict__.get(_PACKED, {}).values())


__all__ = ["direction_call", "packed_directions"]
