"""Training-time LSTM on the CPU over padded, per-sequence-reversed copies.

The sequences are split into buckets of similar length (so padding stays a
small share of the work); each bucket's packed rows are scattered into a
zero-padded ``(time, batch)`` grid for the forward direction, and into a grid where each sequence is reversed *within
its own length* for the backward direction; each direction then runs
PyTorch's fused single-direction LSTM kernel (the one ``nn.LSTM`` calls),
and the outputs are gathered back into packed order. Padding only ever
follows a sequence's real tokens in both grids, so no real output reads
padding: the result equals the packed LSTM's, and is batch-invariant. It
reads the weights of the ``nn.LSTM`` it is given, so it shares parameters
with the prediction path and is held to the same reference in the tests.
"""
from bisect import bisect_left
from functools import lru_cache
from typing import List, NamedTuple

import torch
from torch import nn
from torch.func import functional_call

from .onednn_lstm import PREDICT_STEPS, WEIGHT_NAMES, direction_call, run_in_slices


#: A bucket's grid may hold at most this many times its real rows (plus
#: MIN_BUCKET_ROWS of slack, so tiny batches stay one call): sequences of
#: similar length share a call, and padding costs at most about 25 % of the
#: work (one grid of a 3,000-word batch of raw-text lines was 4-10x its rows).
MAX_PADDING = 1.25
MIN_BUCKET_ROWS = 256


def _grid_sizes(limit: int = 1 << 16) -> List[int]:
    """The sizes a grid's time steps and sequences are rounded up to: every
    size to 16, then about 20 % apart (multiples of 4). oneDNN builds (and
    JIT-compiles) a kernel per input shape; with raw lengths every batch
    brings new shapes, and building them cost more than the LSTM at small
    widths (bf16, width 32: 5.5x slower than fp32). Rounded, a few dozen
    shapes per dimension recur, at most 20 % padding per dimension."""
    sizes = list(range(1, 17))
    while sizes[-1] < limit:
        sizes.append(-(-int(sizes[-1] * 1.2) // 4) * 4)
    return sizes


_GRID_SIZES = _grid_sizes()


def grid_size(n: int) -> int:
    """``n`` rounded up to the next of :data:`_GRID_SIZES` (beyond them, to a multiple of 1,024)."""
    i = bisect_left(_GRID_SIZES, n)
    return _GRID_SIZES[i] if i < len(_GRID_SIZES) else -(-n // 1024) * 1024


def pad_rows(x: torch.Tensor, rows: int = 0) -> torch.Tensor:
    """``x`` with zero rows added up to ``rows`` rows (``grid_size(len(x))``
    unless given)."""
    extra = (rows or grid_size(x.shape[0])) - x.shape[0]
    return torch.cat([x, x.new_zeros((extra,) + tuple(x.shape[1:]))]) if extra else x


#: bfloat16 prediction's grids hold exactly this many sequences (a bucket
#: of more runs as several grids; fewer are padded with empty sequences), so
#: a grid's shape varies in its time steps only. oneDNN keeps a primitive,
#: with its own scratch memory sized by the shape, for every shape it meets:
#: with grids as wide as their buckets (up to 256 sequences) a corpus run of
#: `annotate` peaked 38 % above float32; 16 wide, within 5 % at the same
#: speed (docs/benchmarks.md, "CPU inference speed"). An LSTM step over 16
#: sequences costs about what one over 1 costs (it streams the weights).
PREDICT_CHUNK = 16

# ... and run at most PREDICT_STEPS (onednn_lstm, where the weights are
# packed for it) time steps per kernel call: a longer grid (its steps rounded
# up to a multiple of it) runs as consecutive calls, each starting from the
# state the one before ended in, so the shapes met do not grow with the
# longest text of a corpus (the whole shared raw text, up to 641 words a
# line, peaked 18 % above float32 with grids as long as their texts).


def predict_steps(n: int) -> int:
    """Time steps of a bfloat16 prediction grid for a longest sequence of
    ``n``: ``grid_size(n)`` up to :data:`PREDICT_STEPS`, beyond it the next
    multiple of it."""
    return grid_size(n) if n <= PREDICT_STEPS else -(-n // PREDICT_STEPS) * PREDICT_STEPS


def grid_shape_bound(max_length: int, max_sequences: int, chunk: int = 0) -> int:
    """How many distinct grid shapes ``(time steps, sequences)`` batches of
    at most ``max_sequences`` sequences of at most ``max_length`` tokens can
    ever produce: each dimension is one of :data:`_GRID_SIZES`, and with
    ``chunk`` (:func:`plan_padding`) the sequences are always ``chunk`` and
    a kernel call runs at most :data:`PREDICT_STEPS` steps, whatever
    ``max_length``. oneDNN builds a kernel per shape it meets, so this
    bounds what a long run of bfloat16 prediction keeps (400 tokens: 1,023
    shapes for 256 sequences unchunked; 23 chunked, for any length)."""
    steps = bisect_left(_GRID_SIZES, grid_size(min(max_length, PREDICT_STEPS) if chunk else max_length)) + 1
    sequences = 1 if chunk else bisect_left(_GRID_SIZES, grid_size(max_sequences)) + 1
    return steps * sequences


class Bucket(NamedTuple):
    n_steps: int
    n_seqs: int
    #: packed rows of this bucket's sequences
    packed_rows: torch.Tensor
    #: grid row (``t * n_seqs + b``) of each of them, forward direction
    forward_rows: torch.Tensor
    #: grid row of each with every sequence reversed in place
    reverse_rows: torch.Tensor


class PaddedPlan(NamedTuple):
    buckets: List[Bucket]
    #: packed row of each row of the buckets' outputs, concatenated, inverted:
    #: ``cat(outputs).index_select(0, to_packed)`` is in packed order
    to_packed: torch.Tensor
    #: time steps per kernel call (bfloat16 prediction's PREDICT_STEPS); 0:
    #: each grid in one call (training)
    slice_steps: int = 0


def _bucket_bounds(lengths: List[int]) -> List[int]:
    """Split sequences sorted by decreasing length into runs whose padded grid
    (first length x count) stays within MAX_PADDING of their rows."""
    bounds, start, rows = [0], 0, 0
    for b, length in enumerate(lengths):
        if b > start and lengths[start] * (b - start + 1) > MAX_PADDING * (rows + length) + MIN_BUCKET_ROWS:
            bounds.append(b)
            start, rows = b, 0
        rows += length
    bounds.append(len(lengths))
    return bounds


def plan_padding(batch_sizes: List[int], device: torch.device, chunk: int = 0) -> PaddedPlan:
    """Buckets of sequences of similar length, each a zero-padded
    ``(time, sequence)`` grid, for packed rows (time-major, longest sequence
    first). Each sequence sits in one bucket whatever the others are, so a
    sequence's output does not depend on its bucket's padding. With
    ``chunk``, each bucket is cut into grids of exactly ``chunk`` sequences
    (:data:`PREDICT_CHUNK`) of :func:`predict_steps` time steps, run
    :data:`PREDICT_STEPS` at a time by :func:`padded_lstm`."""
    sizes = torch.tensor(batch_sizes, dtype=torch.int64)
    n_seqs = int(sizes[0])
    running = torch.arange(n_seqs)[None, :] < sizes[:, None]
    lengths = running.sum(0)
    t, b = running.nonzero(as_tuple=True)  # in packed (time-major) order
    packed = torch.arange(t.numel())
    bounds = _bucket_bounds(lengths.tolist())
    if chunk:
        bounds = sorted({cut for first, stop in zip(bounds[:-1], bounds[1:]) for cut in range(first, stop, chunk)}
                        | {bounds[-1]})
    buckets, order = [], []
    for first, stop in zip(bounds[:-1], bounds[1:]):
        mine = (b >= first) & (b < stop)
        tb, bb = t[mine], b[mine] - first
        n = chunk or grid_size(stop - first)  # padding sequences (all zeros) and steps: recurring shapes
        steps = predict_steps(int(lengths[first])) if chunk else grid_size(int(lengths[first]))
        buckets.append(Bucket(steps, n, packed[mine].to(device), (tb * n + bb).to(device),
                              ((lengths[bb + first] - 1 - tb) * n + bb).to(device)))
        order.append(packed[mine])
    inverse = torch.empty_like(packed)
    inverse[torch.cat(order)] = packed
    return PaddedPlan(buckets, inverse.to(device), PREDICT_STEPS if chunk else 0)


def _direction(lstm: nn.LSTM, data: torch.Tensor, rows: torch.Tensor, bucket: Bucket, suffix: str,
               slice_steps: int):
    grid = data.new_zeros((bucket.n_steps * bucket.n_seqs, data.shape[1])).index_copy(0, rows, data)
    zeros = data.new_zeros((1, bucket.n_seqs, lstm.hidden_size))
    if slice_steps:
        # bfloat16 prediction: the same kernel, the weights packed once (onednn_lstm)
        call = direction_call(lstm, suffix, bucket.n_seqs)
    else:
        # one direction's weights, run by a single-direction nn.LSTM (the same
        # fused kernel); gradients flow back into ``lstm``'s parameters
        weights = {name + "_l0": getattr(lstm, name + suffix) for name in WEIGHT_NAMES}
        template = _single_direction(lstm.input_size, lstm.hidden_size)

        def call(x, state):
            return functional_call(template, weights, (x, state))

    output = run_in_slices(call, grid.view(bucket.n_steps, bucket.n_seqs, -1), (zeros, zeros), slice_steps)
    return output.reshape(bucket.n_steps * bucket.n_seqs, -1).index_select(0, rows)


@lru_cache(maxsize=None)
def _single_direction(input_size: int, hidden_size: int) -> nn.LSTM:
    """A weightless (``meta``) one-direction LSTM whose weights each call supplies."""
    return nn.LSTM(input_size, hidden_size, device="meta")


def padded_lstm(lstm: nn.LSTM, data: torch.Tensor, plan: PaddedPlan) -> torch.Tensor:
    """Run a single-layer ``lstm`` over packed rows ``data``; returns packed outputs."""
    outputs = []
    for bucket in plan.buckets:
        rows = data.index_select(0, bucket.packed_rows)
        out = [_direction(lstm, rows, bucket.forward_rows, bucket, "_l0", plan.slice_steps)]
        if lstm.bidirectional:
            out.append(_direction(lstm, rows, bucket.reverse_rows, bucket, "_l0_reverse", plan.slice_steps))
        outputs.append(torch.cat(out, dim=1) if len(out) > 1 else out[0])
    return torch.cat(outputs).index_select(0, plan.to_packed)
