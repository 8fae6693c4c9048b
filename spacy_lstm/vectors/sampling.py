"""Sampling for skip-gram with negative sampling, vectorised in torch.

Everything runs on the trainer's device with an explicit ``torch.Generator``,
so CPU and GPU share one code path and a seed fixes the result per device.
"""
from typing import Tuple

import torch


def keep_probabilities(counts: torch.Tensor, sample: float) -> torch.Tensor:
    """word2vec's subsampling: keep each occurrence with min(1, sqrt(t/f) + t/f).

    f is the word's share of all (vocabulary) tokens and t is ``sample``;
    ``sample <= 0`` keeps everything.
    """
    counts = counts.to(torch.float64)
    if sample <= 0:
        return torch.ones_like(counts)
    ratio = sample / (counts / counts.sum())
    return torch.clamp(torch.sqrt(ratio) + ratio, max=1.0)


class NegativeSampler:
    """Draws word ids with probability proportional to count**power (0.75)."""

    def __init__(self, counts: torch.Tensor, power: float = 0.75) -> None:
        weights = counts.to(torch.float64) ** power
        cdf = torch.cumsum(weights / weights.sum(), dim=0)
        cdf[-1] = 1.0
        self.cdf = cdf
        self.probabilities = weights / weights.sum()

    def draw(self, shape: Tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
        uniform = torch.rand(
            shape, generator=generator, device=self.cdf.device, dtype=torch.float64
        )
        return torch.searchsorted(self.cdf, uniform, right=True).clamp_(max=self.cdf.numel() - 1)


def window_pairs(
    line_ids: torch.Tensor, window: int, generator: torch.Generator
) -> Tuple[torch.Tensor, torch.Tensor]:
    """(center position, context position) pairs with a dynamic window.

    Each center draws b uniformly from 1..window and pairs with the tokens at
    most b positions away on either side within the same line. Pairs come in
    center-major order (all pairs of center 0, then of center 1, ...).
    """
    n = line_ids.numel()
    device = line_ids.device
    if n == 0:
        empty = torch.zeros((0,), dtype=torch.int64, device=device)
        return empty, empty
    reach = torch.randint(1, window + 1, (n,), generator=generator, device=device)
    offsets = torch.cat(
        [torch.arange(-window, 0, device=device), torch.arange(1, window + 1, device=device)]
    )
    centers = torch.arange(n, device=device)
    contexts = centers[:, None] + offsets[None, :]
    valid = (offsets.abs()[None, :] <= reach[:, None]) & (contexts >= 0) & (contexts < n)
    clamped = contexts.clamp(0, n - 1)
    valid &= line_ids[clamped] == line_ids[:, None]
    center_idx, slot = valid.nonzero(as_tuple=True)
    return center_idx, clamped[center_idx, slot]


def linear_learning_rate(lr0: float, done: float, total: float, floor: float = 1e-4) -> float:
    """Linear decay from ``lr0`` to ``lr0 * floor`` as ``done`` goes 0..total."""
    progress = min(max(done / max(total, 1.0), 0.0), 1.0)
    return lr0 * max(1.0 - progress, floor)
