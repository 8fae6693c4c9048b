"""Skip-gram with negative sampling: parameters and one vectorised SGD step.

Gradients are written by hand and applied as sparse row updates with
``index_add_`` (no autograd, no optimizer state), the way word2vec and
fastText update only the rows a step touches.

Batches are blocks of center tokens. Each center's input vector ``h`` is
computed once (word mode: its row; floret mode: the mean of its subword rows,
via ``embedding_bag``) and shared by all of its context pairs. Negatives are
shared too: a group of ``group`` centers draws ``negative * group`` words and
every center in the group is scored against all of them with one batched
matrix product. Each (center, negative) term is weighted by
``n_pairs(center) / group`` so that the expected gradient equals that of
drawing ``negative`` fresh negatives for every (center, context) pair, as in
word2vec. Updates follow fastText: the gradient of ``h`` is added in full to
each of its input rows.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F


class SkipGramModel:
    """Input table (words or floret buckets) and output table (words).

    rows_in: rows of the input table (vocabulary size, or floret ``bucket``).
    n_words: vocabulary size (rows of the output table).
    subwords: for floret mode, (flat rows, offsets) of each vocabulary word's
        input rows on ``device``; None for word mode.
    """

    def __init__(
        self,
        rows_in: int,
        n_words: int,
        dim: int,
        device: torch.device,
        generator: torch.Generator,
        subwords: Optional[Tuple[torch.Tensor, torch.Tensor]] = None,
        damping: float = 0.5,
    ) -> None:
        bound = 1.0 / dim
        self.w_in = (
            torch.rand((rows_in, dim), generator=generator, device=device) * 2 - 1
        ) * bound
        self.w_out = torch.zeros((n_words, dim), device=device)
        self.subwords = subwords
        self.damping = damping

    def word_vectors(self) -> torch.Tensor:
        """(n_words, dim): each word's input vector (floret: mean of its rows)."""
        if self.subwords is None:
            return self.w_in.detach().clone()
        flat, offsets = self.subwords
        return F.embedding_bag(flat, self.w_in, offsets[:-1], mode="mean").detach()

    def _input_rows(self, centers: torch.Tensor):
        """(rows, owner, local starts) of the centers' input rows."""
        flat, offsets = self.subwords  # type: ignore[misc]
        starts = offsets[centers]
        lengths = offsets[centers + 1] - starts
        owner = torch.repeat_interleave(torch.arange(centers.numel(), device=centers.device), lengths)
        local_starts = torch.cumsum(lengths, 0) - lengths
        positions = starts[owner] + torch.arange(owner.numel(), device=centers.device) - local_starts[owner]
        return flat[positions], owner, local_starts

    def step(
        self,
        centers: torch.Tensor,
        pair_center: torch.Tensor,
        pair_context: torch.Tensor,
        negatives: torch.Tensor,
        lr: float,
    ) -> Tuple[torch.Tensor, int]:
        """One SGD step; returns (summed loss as a 0-d tensor, number of pairs).

        centers: (C,) word ids of the block's center tokens.
        pair_center: (P,) index into ``centers`` of each pair's center.
        pair_context: (P,) word id of each pair's context word.
        negatives: (C // group, negative * group) shared negative word ids.
        """
        n_centers = centers.numel()
        if self.subwords is None:
            h = self.w_in[centers]
        else:
            # Each distinct word's subword mean is computed (and updated) once.
            words, inverse, hits = torch.unique(centers, return_inverse=True, return_counts=True)
            rows, owner, local_starts = self._input_rows(words)
            h = F.embedding_bag(rows, self.w_in, local_starts, mode="mean")[inverse]
        dim = h.shape[1]
        # Positive pairs.
        out_pos = self.w_out[pair_context]
        h_pos = h[pair_center]
        score_pos = (h_pos * out_pos).sum(1)
        prob_pos = torch.sigmoid(score_pos)
        g_pos = (1.0 - prob_pos) * lr
        grad_h = torch.zeros_like(h).index_add_(0, pair_center, out_pos * g_pos[:, None])
        loss = -torch.log(prob_pos.clamp_min(1e-7)).sum()
        # Shared negatives per group of centers.
        n_groups, pool = negatives.shape
        group = n_centers // n_groups
        pairs_per_center = torch.bincount(pair_center, minlength=n_centers).to(h.dtype)
        weight = (pairs_per_center / group).view(n_groups, group, 1)
        h_grouped = h.view(n_groups, group, dim)
        out_neg = self.w_out[negatives]  # (G, pool, dim)
        score_neg = torch.bmm(h_grouped, out_neg.transpose(1, 2))  # (G, group, pool)
        prob_neg = torch.sigmoid(score_neg)
        g_neg = prob_neg * weight * (-lr)
        loss = loss - (torch.log((1.0 - prob_neg).clamp_min(1e-7)) * weight).sum()
        grad_h += torch.bmm(g_neg, out_neg).view(n_centers, dim)
        grad_out_neg = torch.bmm(g_neg.transpose(1, 2), h_grouped)  # (G, pool, dim)
        # Apply (output first, computed from the old h; then input rows).
        neg_flat = negatives.reshape(-1)
        out_index = torch.cat([pair_context, neg_flat])
        out_grad = torch.cat([h_pos * g_pos[:, None], grad_out_neg.reshape(-1, dim)])
        _damped_index_add(self.w_out, out_index, out_grad, self.damping)
        if self.subwords is None:
            _damped_index_add(self.w_in, centers, grad_h, self.damping)
        else:
            # Damped per word (not per subword row), then added in full to
            # each of the word's rows, as fastText does.
            grad_words = torch.zeros((words.numel(), dim), device=h.device, dtype=h.dtype)
            grad_words.index_add_(0, inverse, grad_h)
            if self.damping > 0:
                grad_words *= hits.to(h.dtype).pow_(-self.damping)[:, None]
            self.w_in.index_add_(0, rows, grad_words[owner])
        return loss, pair_center.numel()


def _damped_index_add(table: torch.Tensor, index: torch.Tensor, values: torch.Tensor, power: float) -> None:
    """``table[index] += values``, scaling a row hit c times in the step by c**-power."""
    if power > 0:
        hits = torch.bincount(index, minlength=table.shape[0])[index].to(values.dtype)
        values = values * hits.pow_(-power)[:, None]
    table.index_add_(0, index, values)
