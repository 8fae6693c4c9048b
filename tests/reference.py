"""A reference LSTM written out one time step at a time.

This is the oracle the tests hold the fast encoder to. It reads the weights of
a :class:`torch.nn.LSTM` and applies the gate equations literally, in PyTorch's
gate order (input, forget, candidate, output), for one sequence at a time:

    i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)     input gate
    f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)     forget gate
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)        candidate
    o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)     output gate
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

It is slow on purpose: no packing, no fused kernels, no batching. See
docs/reference-lstm.md.
"""
from typing import List, Tuple

import torch
from torch import nn

from spacy_lstm.modules.bilm import BiLMStack
from spacy_lstm.modules.residual_lstm import ResidualLSTM


def lstm_step(
    x_t: torch.Tensor,
    state: Tuple[torch.Tensor, torch.Tensor],
    weight_ih: torch.Tensor,
    weight_hh: torch.Tensor,
    bias_ih: torch.Tensor,
    bias_hh: torch.Tensor,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """One LSTM time step for one token vector ``x_t``; returns ``(h_t, c_t)``."""
    h_prev, c_prev = state
    gates = weight_ih @ x_t + bias_ih + weight_hh @ h_prev + bias_hh
    i_pre, f_pre, g_pre, o_pre = gates.chunk(4)
    i_t = torch.sigmoid(i_pre)
    f_t = torch.sigmoid(f_pre)
    g_t = torch.tanh(g_pre)
    o_t = torch.sigmoid(o_pre)
    c_t = f_t * c_prev + i_t * g_t
    h_t = o_t * torch.tanh(c_t)
    return h_t, c_t


def reference_lstm_direction(
    lstm: nn.LSTM, x: torch.Tensor, reverse: bool = False
) -> torch.Tensor:
    """Run one direction of a single-layer ``nn.LSTM`` over ``x`` (time, input)."""
    suffix = "_l0_reverse" if reverse else "_l0"
    weights = [
        getattr(lstm, name + suffix)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    ]
    zeros = x.new_zeros(lstm.hidden_size)
    state = (zeros, zeros)
    steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    outputs = [zeros] * x.shape[0]
    for t in steps:
        state = lstm_step(x[t], state, *weights)
        outputs[t] = state[0]
    return torch.stack(outputs) if outputs else x.new_zeros((0, lstm.hidden_size))


def reference_residual_lstm(
    module: ResidualLSTM, sequences: List[torch.Tensor]
) -> List[torch.Tensor]:
    """What :class:`ResidualLSTM` computes in eval mode, one sequence at a time."""
    results = []
    for x in sequences:
        h = x
        for lstm, project, norm in zip(module.lstms, module.projections, module.norms):
            out = reference_lstm_direction(lstm, h)
            if lstm.bidirectional:
                out = torch.cat([out, reference_lstm_direction(lstm, h, True)], -1)
            h = norm(h + project(out))
        results.append(h)
    return results


def reference_bilm(module: BiLMStack, sequences: List[torch.Tensor]) -> List[torch.Tensor]:
    """What :class:`~spacy_lstm.modules.bilm.BiLMStack` computes in eval mode:
    the forward stack over each sequence, the backward stack over the
    sequence read in reverse (its outputs put back in reading order)."""
    forward_stack, backward_stack = module.stacks
    forward_in, backward_in = module.inputs
    results = []
    for x in sequences:
        (forward,) = reference_residual_lstm(forward_stack, [forward_in(x)])
        (backward,) = reference_residual_lstm(backward_stack, [backward_in(x).flip(0)])
        results.append(torch.cat([forward, backward.flip(0)], dim=-1))
    return results
