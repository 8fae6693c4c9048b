"""Training-time LSTM over packed rows, for the CPU.

On the CPU, ``nn.LSTM`` trains a packed sequence through a generic per-step
path whose backward pass writes each step's gradient into a zero tensor the
size of the *whole* packed input: time quadratic in sequence length (measured:
over 70% of a training step spent in ``fill_``). This module computes the same
function with one matrix product for all input projections, then a short loop
over time steps whose gradients PyTorch gathers with a single ``cat``
(``split`` instead of slicing). It reads the weights of the ``nn.LSTM`` it is
given, so both paths share parameters and are held to the same reference in
the tests.
"""
from typing import List

import torch
from torch import nn


def packed_lstm_stepwise(lstm: nn.LSTM, data: torch.Tensor, batch_sizes: List[int]) -> torch.Tensor:
    """Run a single-layer ``lstm`` over packed rows ``data`` (time-major, longest
    sequence first, ``batch_sizes[t]`` rows at step t). Returns the packed
    output rows, ``(n_rows, hidden_size * num_directions)``."""
    suffixes = ["_l0", "_l0_reverse"] if lstm.bidirectional else ["_l0"]
    w_ih = torch.cat([getattr(lstm, "weight_ih" + s) for s in suffixes])
    bias = torch.cat(
        [getattr(lstm, "bias_ih" + s) + getattr(lstm, "bias_hh" + s) for s in suffixes]
    )
    gate_inputs = torch.addmm(bias, data, w_ih.t()).split(batch_sizes)
    n_gates = 4 * lstm.hidden_size
    outputs = [_forward_direction(gate_inputs, lstm.weight_hh_l0, batch_sizes, 0)]
    if lstm.bidirectional:
        outputs.append(
            _backward_direction(gate_inputs, lstm.weight_hh_l0_reverse, batch_sizes, n_gates)
        )
    return torch.cat(outputs, dim=1)


def _cell(gates: torch.Tensor, c: torch.Tensor):
    i, f, g, o = gates.chunk(4, 1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def _forward_direction(gate_inputs, w_hh, batch_sizes, offset):
    n_gates = w_hh.shape[0]
    h = c = gate_inputs[0].new_zeros((batch_sizes[0], w_hh.shape[1]))
    outputs = []
    for step, size in zip(gate_inputs, batch_sizes):
        h, c = h[:size], c[:size]
        h, c = _cell(step[:, offset : offset + n_gates] + h @ w_hh.t(), c)
        outputs.append(h)
    return torch.cat(outputs)


def _backward_direction(gate_inputs, w_hh, batch_sizes, offset):
    n_gates = w_hh.shape[0]
    h = c = gate_inputs[0].new_zeros((0, w_hh.shape[1]))
    outputs = [h] * len(batch_sizes)
    for t in range(len(batch_sizes) - 1, -1, -1):
        size = batch_sizes[t]
        if size > h.shape[0]:  # sequences whose last token is at step t start here
            fresh = h.new_zeros((size - h.shape[0], h.shape[1]))
            h, c = torch.cat([h, fresh]), torch.cat([c, fresh])
        h, c = _cell(gate_inputs[t][:, offset : offset + n_gates] + h @ w_hh.t(), c)
        outputs[t] = h
    return torch.cat(outputs)
