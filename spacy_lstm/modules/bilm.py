"""Two separate LSTM stacks that are true language models (ELMo-style).

The forward stack reads each doc left to right and never sees a token to the
right of the one it outputs for; the backward stack reads each doc right to
left and never sees a token to its left, at every depth. Each stack is a
:class:`ResidualLSTM` with one direction (its layers
``h = LayerNorm(h + Dropout(Project(LSTM(h))))``) over a per-token linear
projection of the input, so the same packed, padded and stepwise execution
paths run it and it is batch-invariant in the same way.

The output is ``[forward | backward]``: the first ``ceil(width / 2)``
columns come from the forward stack only, the last ``width // 2`` from the
backward stack only. Nothing mixes the halves, so the forward half at
position t is a function of tokens 0..t and the backward half of tokens
t..n-1; a language-model objective can read each half for the next and the
previous token, and any width (odd too) fits.
"""
from typing import Tuple

import torch
from torch import nn

from .packing import doc_positions, plan_packing
from .residual_lstm import ResidualLSTM


def split_width(width: int) -> Tuple[int, int]:
    """Columns of the (forward, backward) halves of a ``width``-wide output."""
    return (width + 1) // 2, width // 2


def reversal_index(lengths: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Row permutation reversing each doc within its own rows (an involution).

    For rows stored doc after doc, row ``starts[d] + t`` maps to
    ``starts[d] + lengths[d] - 1 - t``.
    """
    lengths = lengths.to(device="cpu", dtype=torch.int64)
    if lengths.numel() == 1:
        return torch.arange(int(lengths[0]) - 1, -1, -1, dtype=torch.int64, device=device)
    doc, position = doc_positions(lengths)
    start = torch.arange(position.numel(), dtype=torch.int64) - position
    return (start + lengths[doc] - 1 - position).to(device)


class BiLMStack(nn.Module):
    """Forward and backward LSTM stacks kept apart; output ``[fwd | bwd]``.

    Input: ``X`` ``(n_tokens, width)`` with the docs' tokens back to back and
    ``lengths`` (one int per doc). Output: ``(n_tokens, width)``.
    """

    def __init__(self, width: int, hidden_size: int, depth: int, dropout: float = 0.0, inference_bf16: bool = False):
        super().__init__()
        self.width = width
        self.halves = split_width(width)
        self.inputs = nn.ModuleList(nn.Linear(width, half) for half in self.halves)
        self.stacks = nn.ModuleList(
            ResidualLSTM(half, hidden_size, depth, bidirectional=False, dropout=dropout, inference_bf16=inference_bf16)
            for half in self.halves
        )

    def forward(self, X: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        if X.shape[0] == 0:
            return X.new_zeros((0, self.width))
        # reversing within each doc keeps the lengths: one packing plan serves both stacks
        plan = plan_packing(lengths, X.device)
        forward = self.stacks[0].run_planned(self.inputs[0](X), plan)
        reverse = reversal_index(lengths, X.device)
        backward = self.stacks[1].run_planned(self.inputs[1](X).index_select(0, reverse), plan)
        return torch.cat([forward, backward.index_select(0, reverse)], dim=1)
