"""Pack a batch of variable-length sequences stored back to back in one 2d tensor.

The Thinc side hands the encoder all tokens of a batch as one ``(n_tokens, width)``
array plus the length of every doc. ``plan_packing`` computes, once per batch,
the permutation that turns those rows into the time-major order of a
:class:`torch.nn.utils.rnn.PackedSequence` (longest sequence first) and the
``batch_sizes`` PyTorch needs. Only real tokens are ever fed to the LSTM: no
padding, so a doc's output cannot depend on the other docs in its batch.
Docs of length 0 simply contribute no rows.
"""
from typing import NamedTuple, Tuple

import torch


class PackingPlan(NamedTuple):
    """Where each packed row comes from, and how to go back."""

    #: ``packed = flat[to_packed]``: flat row index for each packed row.
    to_packed: torch.Tensor
    #: ``flat = packed[to_flat]``: the inverse permutation.
    to_flat: torch.Tensor
    #: Number of sequences still running at each time step (int64, on the CPU,
    #: as PyTorch's packed LSTM kernels require).
    batch_sizes: torch.Tensor


def doc_positions(lengths: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """For rows stored doc after doc: each row's doc and its position in that doc.

    lengths (torch.Tensor): 1d int64 tensor on the CPU, one entry per doc.
    """
    n_rows = int(lengths.sum())
    doc = torch.repeat_interleave(torch.arange(lengths.numel(), dtype=torch.int64), lengths)
    starts = torch.cumsum(lengths, 0) - lengths
    return doc, torch.arange(n_rows, dtype=torch.int64) - starts[doc]


def plan_packing(lengths: torch.Tensor, device: torch.device) -> PackingPlan:
    """Plan the packing of sequences with the given ``lengths``.

    lengths (torch.Tensor): 1d integer tensor, one entry per sequence, >= 0.
    device (torch.device): where the returned index tensors should live (the
        device of the data); ``batch_sizes`` always stays on the CPU.
    """
    lengths = lengths.to(device="cpu", dtype=torch.int64)
    if lengths.numel() == 0 or int(lengths.sum()) == 0:
        empty = torch.zeros(0, dtype=torch.int64, device=device)
        return PackingPlan(empty, empty, torch.zeros(0, dtype=torch.int64))
    if lengths.numel() == 1:
        # one doc (``nlp(text)``): packed order is the doc's own order
        n_rows = int(lengths[0])
        identity = torch.arange(n_rows, dtype=torch.int64, device=device)
        return PackingPlan(identity, identity, torch.ones(n_rows, dtype=torch.int64))
    # O(n_tokens + max_length) memory: no (time, sequence) grid, which would
    # cost max_length x n_docs for one long doc among many short ones.
    _, order = torch.sort(lengths, descending=True, stable=True)
    rank = torch.empty_like(order)
    rank[order] = torch.arange(order.numel(), dtype=torch.int64)
    max_length = int(lengths.max())
    # batch_sizes[t] = number of sequences longer than t
    ending_at = torch.bincount(lengths, minlength=max_length + 1)  # sequences of each length
    batch_sizes = ending_at.flip(0).cumsum(0).flip(0)[1:]
    step_start = torch.cumsum(batch_sizes, 0) - batch_sizes  # first packed row of each step
    doc, step = doc_positions(lengths)
    # At step t the running sequences are exactly ranks 0..batch_sizes[t]-1,
    # so a token's packed row is its step's first row plus its doc's rank.
    to_flat = step_start[step] + rank[doc]
    to_packed = torch.empty_like(to_flat)
    to_packed[to_flat] = torch.arange(to_flat.numel(), dtype=torch.int64)
    return PackingPlan(to_packed.to(device), to_flat.to(device), batch_sizes)
