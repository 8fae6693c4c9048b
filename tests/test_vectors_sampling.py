"""Sampling pieces of the vector trainer against word2vec's definitions."""
import math

import pytest
import torch

from spacy_lstm.vectors.sampling import (
    NegativeSampler,
    keep_probabilities,
    linear_learning_rate,
    window_pairs,
)


def _chi_square(observed: torch.Tensor, expected: torch.Tensor) -> float:
    return float((((observed - expected) ** 2) / expected).sum())


# 99.9th percentile of chi-square with 9 degrees of freedom.
CHI2_9DF_999 = 27.877


def test_subsampling_keeps_each_word_at_the_word2vec_rate():
    counts = torch.tensor([50_000, 20_000, 5_000, 1_000, 100, 10], dtype=torch.int64)
    sample = 1e-3
    keep = keep_probabilities(counts, sample)
    freq = counts.double() / counts.sum()
    expected = torch.clamp(torch.sqrt(sample / freq) + sample / freq, max=1.0)
    assert torch.allclose(keep, expected)
    assert keep[0] < 0.2 and keep[-1] == 1.0
    # Empirical keep rate of repeated occurrences, as the trainer draws them.
    gen = torch.Generator().manual_seed(0)
    trials = 200_000
    for word in range(len(counts)):
        kept = (torch.rand(trials, generator=gen) < keep[word].float()).double().mean()
        sd = math.sqrt(float(keep[word] * (1 - keep[word])) / trials) + 1e-9
        assert abs(float(kept) - float(keep[word])) < 5 * sd + 1e-6


def test_sample_zero_keeps_everything():
    assert torch.all(keep_probabilities(torch.tensor([10, 1_000_000]), 0.0) == 1.0)


def test_negatives_follow_unigram_to_the_three_quarters():
    counts = torch.tensor([1000, 500, 300, 200, 100, 50, 20, 10, 5, 1])
    sampler = NegativeSampler(counts)
    gen = torch.Generator().manual_seed(1)
    n = 400_000
    draws = sampler.draw((n,), gen)
    observed = torch.bincount(draws, minlength=10).double()
    weights = counts.double() ** 0.75
    expected = weights / weights.sum() * n
    assert _chi_square(observed, expected) < CHI2_9DF_999
    # The same test rejects plain unigram and uniform sampling: it has power.
    unigram = counts.double() / counts.sum() * n
    assert _chi_square(observed, unigram) > 100 * CHI2_9DF_999
    assert _chi_square(observed, torch.full((10,), n / 10.0)) > 100 * CHI2_9DF_999


def test_learning_rate_decays_linearly_to_near_zero():
    total = 1000.0
    values = [linear_learning_rate(0.05, done, total) for done in range(0, 1001, 100)]
    diffs = [a - b for a, b in zip(values, values[1:])]
    assert values[0] == pytest.approx(0.05)
    assert values[5] == pytest.approx(0.025)
    assert all(d == pytest.approx(0.005) for d in diffs[:-1])
    assert 0 < values[-1] <= 0.05 * 1e-4


def test_dynamic_window_stays_in_line_and_in_reach():
    gen = torch.Generator().manual_seed(2)
    lines = torch.tensor([0] * 30 + [1] * 3 + [2] * 40)
    centers, contexts = window_pairs(lines, 4, gen)
    distance = (contexts - centers).abs()
    assert torch.all(lines[centers] == lines[contexts])
    assert torch.all((distance >= 1) & (distance <= 4))
    assert torch.all(centers[1:] >= centers[:-1]), "pairs must be center-major"
    # Reach is uniform on 1..window: a center in the middle of a long line has
    # 2*b pairs, so 2, 4, 6 and 8 all occur.
    middle = (centers >= 5) & (centers <= 24)
    per_center = torch.bincount(centers[middle])[5:25]
    assert set(per_center.tolist()) == {2, 4, 6, 8}


def test_window_pairs_on_empty_input():
    centers, contexts = window_pairs(torch.zeros((0,), dtype=torch.int64), 5, torch.Generator())
    assert centers.numel() == 0 and contexts.numel() == 0
