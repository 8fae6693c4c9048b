"""The trained vocabulary: words kept by ``min_count`` (and a cap), by frequency."""
from dataclasses import dataclass
from typing import List, Optional

import numpy


@dataclass
class Vocabulary:
    words: List[str]
    counts: numpy.ndarray  # int64, descending
    remap: numpy.ndarray  # provisional id -> vocabulary id, or -2 when dropped

    def __len__(self) -> int:
        return len(self.words)


DROPPED = -2


def build_vocabulary(
    words: List[str], counts: numpy.ndarray, min_count: int, max_size: Optional[int] = None
) -> Vocabulary:
    """Keep words seen at least ``min_count`` times, most frequent first.

    Ties keep first-seen order (a stable sort), so the result is deterministic.
    ``max_size`` caps the vocabulary after sorting (None: no cap).
    """
    order = numpy.argsort(-counts, kind="stable")
    order = order[counts[order] >= min_count]
    if max_size is not None:
        order = order[:max_size]
    remap = numpy.full((len(words),), DROPPED, dtype="int64")
    remap[order] = numpy.arange(len(order), dtype="int64")
    return Vocabulary(words=[words[i] for i in order], counts=counts[order], remap=remap)
