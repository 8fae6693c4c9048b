"""Pack a batch of variable-length sequences stored back to back in one 2d tensor.

The Thinc side hands the encoder all tokens of a batch as one ``(n_tokens, width)``
array plus the length of every doc. ``plan_packing`` computes, once per batch,
the permutation that turns those rows into the time-major order of a
:class:`torch.nn.utils.rnn.PackedSequence` (longest sequence first) and the
``batch_sizes`` PyTorch needs. Only real tokens are ever fed to the LSTM: no
padding, so a doc's output cannot depend on the other docs in its batch.
Docs of length 0 simply contribute no rows.
"""
from typing import NamedTuple

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
    sorted_lengths, order = torch.sort(lengths, descending=True, stable=True)
    starts = torch.cumsum(lengths, 0) - lengths
    steps = torch.arange(int(sorted_lengths[0]), dtype=torch.int64)
    running = steps[:, None] < sorted_lengths[None, :]  # (time, sequence)
    batch_sizes = running.sum(dim=1)
    # Row-major selection over (time, sequence) is exactly the packed order.
    to_packed = (starts[order][None, :] + steps[:, None])[running]
    to_flat = torch.empty_like(to_packed)
    to_flat[to_packed] = torch.arange(to_packed.numel(), dtype=torch.int64)
    return PackingPlan(to_packed.to(device), to_flat.to(device), batch_sizes)
