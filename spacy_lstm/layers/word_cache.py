"""A bounded per-word cache for embedding layers whose input for a word is a
pure function of the word's string (its characters, its floret vector).

Prediction runs the same words again and again (Zipf: a few thousand words
are most of any text), so computing each word's input once pays off at every
batch size. The cache fills until ``max_words`` and then stops adding; the
most frequent words arrive first. It forgets everything when any object of
its ``source`` (the string store, the vectors table and its data) is not the
very object it was before; it holds them, so their ids cannot be reused.
"""
from typing import Any, Callable, Dict, Iterable, List, Sequence

import numpy


class WordCache:
    """Maps keys (e.g. ORTH ids) to rows computed by ``compute(missing_keys)``."""

    def __init__(self, max_words: int) -> None:
        self.max_words = max_words
        self.rows: Dict[int, Any] = {}
        self.source: Sequence[Any] = ()

    def lookup(self, source: Sequence[Any], keys: Iterable[int], compute: Callable[[List[int]], Any]) -> List[Any]:
        """The row of every key, computing those not cached (each once)."""
        if len(source) != len(self.source) or any(a is not b for a, b in zip(source, self.source)):
            self.rows, self.source = {}, tuple(source)
        keys = [int(k) for k in keys]
        rows = self.rows
        missing = list(dict.fromkeys(k for k in keys if k not in rows))
        if not missing:
            return [rows[k] for k in keys]
        fresh = dict(zip(missing, compute(missing)))
        for key in missing[: max(0, self.max_words - len(rows))]:
            rows[key] = fresh[key]
        return [rows[k] if k in rows else fresh[k] for k in keys]


def stack_rows(rows: List[Any], width: int, dtype: Any) -> numpy.ndarray:
    """Rows stacked into one array; an empty list gives ``(0, width)``."""
    if not rows:
        return numpy.zeros((0, width), dtype=dtype)
    return numpy.stack(rows)


__all__ = ["WordCache", "stack_rows"]
