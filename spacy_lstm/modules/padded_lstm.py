"""Training-time LSTM on the CPU over padded, per-sequence-reversed copies.

Packed rows are scattered into a zero-padded ``(time, batch)`` grid for the
forward direction, and into a grid where each sequence is reversed *within
its own length* for the backward direction; each direction then runs
PyTorch's fused single-direction LSTM kernel (the one ``nn.LSTM`` calls),
and the outputs are gathered back into packed order. Padding only ever
follows a sequence's real tokens in both grids, so no real output reads
padding: the result equals the packed LSTM's, and is batch-invariant. It
reads the weights of the ``nn.LSTM`` it is given, so it shares parameters
with the prediction path and is held to the same reference in the tests.
"""
from functools import lru_cache
from typing import List, NamedTuple

import torch
from torch import nn
from torch.func import functional_call

_WEIGHTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class PaddedPlan(NamedTuple):
    n_steps: int
    n_seqs: int
    #: grid row (``t * n_seqs + b``) of each packed row, forward direction
    forward_rows: torch.Tensor
    #: grid row of each packed row with every sequence reversed in place
    reverse_rows: torch.Tensor


def plan_padding(batch_sizes: List[int], device: torch.device) -> PaddedPlan:
    """Grid positions for packed rows (time-major, longest sequence first)."""
    sizes = torch.tensor(batch_sizes, dtype=torch.int64)
    n_steps, n_seqs = len(batch_sizes), int(sizes[0])
    running = torch.arange(n_seqs)[None, :] < sizes[:, None]
    t, b = running.nonzero(as_tuple=True)
    lengths = running.sum(0)
    forward_rows = t * n_seqs + b
    reverse_rows = (lengths[b] - 1 - t) * n_seqs + b
    return PaddedPlan(n_steps, n_seqs, forward_rows.to(device), reverse_rows.to(device))


def _direction(lstm: nn.LSTM, data: torch.Tensor, rows: torch.Tensor, plan: PaddedPlan, suffix: str):
    grid = data.new_zeros((plan.n_steps * plan.n_seqs, data.shape[1])).index_copy(0, rows, data)
    # one direction's weights, run by a single-direction nn.LSTM (the same
    # fused kernel); gradients flow back into ``lstm``'s parameters
    weights = {name + "_l0": getattr(lstm, name + suffix) for name in _WEIGHTS}
    zeros = data.new_zeros((1, plan.n_seqs, lstm.hidden_size))
    template = _single_direction(lstm.input_size, lstm.hidden_size)
    output = functional_call(template, weights, (grid.view(plan.n_steps, plan.n_seqs, -1), (zeros, zeros)))[0]
    return output.reshape(plan.n_steps * plan.n_seqs, -1).index_select(0, rows)


@lru_cache(maxsize=None)
def _single_direction(input_size: int, hidden_size: int) -> nn.LSTM:
    """A weightless (``meta``) one-direction LSTM whose weights each call supplies."""
    return nn.LSTM(input_size, hidden_size, device="meta")


def padded_lstm(lstm: nn.LSTM, data: torch.Tensor, plan: PaddedPlan) -> torch.Tensor:
    """Run a single-layer ``lstm`` over packed rows ``data``; returns packed outputs."""
    outputs = [_direction(lstm, data, plan.forward_rows, plan, "_l0")]
    if lstm.bidirectional:
        outputs.append(_direction(lstm, data, plan.reverse_rows, plan, "_l0_reverse"))
    return torch.cat(outputs, dim=1)
