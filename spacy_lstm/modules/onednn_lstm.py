"""One direction of a prediction LSTM with its weights packed for oneDNN once.

``torch.lstm`` hands oneDNN the weights in PyTorch's plain layout, and
oneDNN reorders them into its own layout on every call: about 100 us of a
200-400 us call over one short doc (bf16, 512 inputs, 256 hidden, AVX-512
BF16 EPYC, 2 threads), and ud.cfg's tok2vec makes 8 such calls per doc; in
float32 (AVX2 EPYC, 2 threads, 22 tokens) 100-300 us of 500-1,500 us.
Here the reorder runs once per weights (``mkldnn._reorder_mkldnn_rnn_layer_weight``,
the op PyTorch's own compiler uses when it freezes a model) and each call
runs ``aten.mkldnn_rnn_layer``, the kernel ``torch.lstm`` itself calls, with
the packed weights: the same result. Before its first use, each packed
call (direction, grid width, forward or reversed) is checked against
``torch.lstm`` on a small input and used only when the outputs are equal
bit for bit; where the ops are missing (older PyTorch),
fail, or differ, ``torch.lstm`` runs as before.

Only for prediction copies (:func:`~spacy_lstm.modules.precision.prediction_copy`,
bfloat16 or float32, on the CPU): their parameters never change (a change
of the original makes a new copy), so the packed weights stored on them
cannot go stale. Any other LSTM (training, frozen weights that a load may
overwrite, the GPU) runs ``torch.lstm``.
"""
from itertools import accumulate
from typing import Callable, Dict, Optional, Tuple

import torch
from torch import nn

from .precision import is_prediction_copy

State = Tuple[torch.Tensor, torch.Tensor]
DirectionCall = Callable[[torch.Tensor, State], Tuple[torch.Tensor, State]]

_PACKED = "_spacy_lstm_onednn_packed"  # attribute of the nn.LSTM: {(suffix, batch): packed weights or None}
_CALLS = "_spacy_lstm_onednn_calls"  # attribute of the nn.LSTM: {(suffix, batch, reverse): checked call or None}
_SLICED = "_spacy_lstm_onednn_sliced"  # attribute of the nn.LSTM: {(suffix, reverse): slice steps or 0}
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


def _plain_call(lstm: nn.LSTM, suffix: str, reverse: bool = False) -> DirectionCall:
    params = _weights(lstm, suffix)

    def call(x: torch.Tensor, state: State) -> Tuple[torch.Tensor, State]:
        out, h, c = torch.lstm(x.flip(0) if reverse else x, state, params, lstm.bias, 1, 0.0, False, False, False)
        return (out.flip(0) if reverse else out), (h, c)

    return call


def _packed_call(lstm: nn.LSTM, suffix: str, packed, reverse: bool = False) -> DirectionCall:
    _, _, bias_ih, bias_hh = _weights(lstm, suffix)
    hidden = lstm.hidden_size

    def call(x: torch.Tensor, state: State) -> Tuple[torch.Tensor, State]:
        with torch.no_grad():
            out, h, c, _ = torch.ops.aten.mkldnn_rnn_layer(x, packed[0], packed[1], bias_ih, bias_hh, state[0],
                                                           state[1], reverse, [], _LSTM_MODE, hidden, 1, True,
                                                           False, False, False)
        return out, (h, c)

    return call


def _pack(lstm: nn.LSTM, suffix: str, batch: int):
    """The packed weights of one direction, or None where the op is missing or fails."""
    weight_ih, weight_hh = _weights(lstm, suffix)[:2]
    try:
        with torch.no_grad():
            return torch.ops.mkldnn._reorder_mkldnn_rnn_layer_weight(
                weight_ih, weight_hh, lstm.hidden_size, False, True, False, [PREDICT_STEPS, batch, lstm.input_size])
    except (RuntimeError, TypeError, AttributeError):
        return None


def _probe(lstm: nn.LSTM, steps: int, batch: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """A seeded random ``(steps, batch, input)`` input in the LSTM's dtype and a zero state, for the checks."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn((steps, batch, lstm.input_size), generator=generator).to(lstm.weight_ih_l0.dtype)
    return x, x.new_zeros((1, batch, lstm.hidden_size))


def _checked_call(lstm: nn.LSTM, suffix: str, batch: int, packed, reverse: bool) -> Optional[DirectionCall]:
    """The packed call, or None where it fails or gives another result than
    ``torch.lstm`` (run on the reversed sequence for ``reverse``)."""
    call = _packed_call(lstm, suffix, packed, reverse)
    try:
        with torch.no_grad():
            x, zeros = _probe(lstm, 5, batch)
            expected = _plain_call(lstm, suffix, reverse)(x, (zeros, zeros))
            got = call(x, (zeros, zeros))
    except (RuntimeError, TypeError, AttributeError):
        return None
    same = all(torch.equal(a, b) for a, b in zip((expected[0], *expected[1]), (got[0], *got[1])))
    return call if same else None


def _packable(lstm: nn.LSTM) -> bool:
    weight = lstm.weight_ih_l0
    return (_OPS_AVAILABLE and is_prediction_copy(lstm) and weight.dtype in (torch.bfloat16, torch.float32)
            and weight.device.type == "cpu" and not weight.requires_grad and lstm.num_layers == 1
            and not lstm.proj_size and lstm.bias and not lstm.batch_first)


def packed_call(lstm: nn.LSTM, suffix: str, batch: int, reverse: bool = False) -> Optional[DirectionCall]:
    """The call of :func:`direction_call` when it runs on packed weights;
    None where ``torch.lstm`` runs instead (see :func:`direction_call`)."""
    key = (suffix, batch, reverse)
    calls: Optional[Dict[Tuple[str, int, bool], Optional[DirectionCall]]] = lstm.__dict__.get(_CALLS)
    if calls is not None and key in calls:
        return calls[key]
    if not _packable(lstm):
        return None
    packs = lstm.__dict__.setdefault(_PACKED, {})
    if (suffix, batch) not in packs:
        packs[(suffix, batch)] = _pack(lstm, suffix, batch)
    packed = packs[(suffix, batch)]
    call = _checked_call(lstm, suffix, batch, packed, reverse) if packed is not None else None
    # the copy's parameters never change: its packing and call are kept with it
    lstm.__dict__.setdefault(_CALLS, {})[key] = call
    return call


def direction_call(lstm: nn.LSTM, suffix: str, batch: int, reverse: bool = False) -> DirectionCall:
    """``(x, (h, c)) -> (output, (h, c))`` for one direction (``suffix``
    ``"_l0"`` or ``"_l0_reverse"``) of single-layer ``lstm`` over
    ``(time, batch, input)`` grids (``reverse``: from the last step to the
    first, outputs in the input's order): with the weights packed once when
    ``lstm`` is a bfloat16 or float32 CPU prediction copy
    (:func:`~spacy_lstm.modules.precision.prediction_copy`) and the packing
    gives ``torch.lstm``'s result, else ``torch.lstm``."""
    return packed_call(lstm, suffix, batch, reverse) or _plain_call(lstm, suffix, reverse)


def run_in_slices(call: DirectionCall, grid: torch.Tensor, state: State, steps: int = PREDICT_STEPS,
                  reverse: bool = False) -> torch.Tensor:
    """``call(grid, state)[0]`` for a ``(time, batch, features)`` grid run
    ``steps`` steps at a time (0: in one call), each slice starting from the
    ``(h, c)`` the previous one ended in: the same recurrence. ``reverse``
    (a call that runs from the last step to the first): the slices are cut
    from the end and run last slice first. A slice of a single step is
    never made (a remainder of one step joins its neighbour, which gives
    that one up: ``65`` runs as ``63 + 2``): oneDNN computes a one-row
    product on another path (AVX-512 EPYC, float32: other bits), and every
    slice still has at most ``steps`` steps."""
    n = grid.shape[0]
    if not steps or n <= steps:
        return call(grid, state)[0]
    # slice lengths in the order the call runs them: full slices, then the rest
    sizes = [steps] * (n // steps) + ([n % steps] if n % steps else [])
    if sizes[-1] == 1:
        sizes[-2:] = [steps - 1, 2]
    ends = list(accumulate(sizes))
    if reverse:
        bounds = [(n - end, n - end + size) for size, end in zip(sizes, ends)]
    else:
        bounds = [(end - size, end) for size, end in zip(sizes, ends)]
    outputs = []
    for start, stop in bounds:
        output, state = call(grid[start:stop], state)
        outputs.append(output)
    return torch.cat(outputs[::-1] if reverse else outputs)


#: Lengths of the sequences the slicing check compares (whole call against
#: slices): one longer than the tests' documents, so gemm row blocks of
#: several sizes take part, and one that would end in a single step (run
#: as 64 + 63 + 2: :func:`run_in_slices` never makes a one-row gemm, which
#: some CPUs compute on another path).
SLICE_CHECK_STEPS = (4 * PREDICT_STEPS + 5, 2 * PREDICT_STEPS + 1)


def slice_steps(lstm: nn.LSTM, suffix: str, reverse: bool = False) -> int:
    """:data:`PREDICT_STEPS` where one sequence (batch 1) of any length may
    run through this direction's packed call in slices of that many steps
    (:func:`run_in_slices`) with the result of one call over the whole
    sequence, bit for bit; 0 (one call) where it does not or the direction
    is not packed. oneDNN keeps a kernel for every sequence length it is
    given; sliced, ``nlp(text)`` over a corpus meets at most
    ``PREDICT_STEPS`` lengths per direction instead of one per text length
    (about 0.16 MB each for ud.cfg's LSTMs, up to oneDNN's 1,024 kernels).
    Checked once per direction, on random sequences of
    :data:`SLICE_CHECK_STEPS` steps (four full slices and a short one; two
    and a single step), when first asked."""
    key = (suffix, reverse)
    verdicts: Dict[Tuple[str, bool], int] = lstm.__dict__.setdefault(_SLICED, {})
    if key not in verdicts:
        call = packed_call(lstm, suffix, 1, reverse)
        verdicts[key] = PREDICT_STEPS if call is not None and _slices_agree(lstm, call, reverse) else 0
    return verdicts[key]


def _slices_agree(lstm: nn.LSTM, call: DirectionCall, reverse: bool) -> bool:
    for steps in SLICE_CHECK_STEPS:
        try:
            with torch.no_grad():
                x, zeros = _probe(lstm, steps, 1)
                whole = call(x, (zeros, zeros))[0]
                sliced = run_in_slices(call, x, (zeros, zeros), PREDICT_STEPS, reverse)
        except (RuntimeError, TypeError, AttributeError):
            return False
        if not torch.equal(whole, sliced):
            return False
    return True


def packed_directions(lstm: nn.LSTM) -> int:
    """How many (direction, batch size) packings ``lstm`` holds and uses (for tests)."""
    return len({key[:2] for key, call in lstm.__dict__.get(_CALLS, {}).items() if call is not None})


__all__ = ["direction_call", "packed_call", "packed_directions", "run_in_slices", "slice_steps"]
