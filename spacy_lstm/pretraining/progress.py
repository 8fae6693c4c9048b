"""How far a ``spacy pretrain`` run has read through its raw text.

``spacy_lstm.RawText.v1`` reports here as spaCy's loop reads it: a pass
begins once per epoch, and every line read (kept or skipped by the length
filters) adds its whitespace-separated words. A pass's length is known
before it starts: the reader counts the words when it checks the file (the
first pass; within ``max_words``), and each finished pass measures the next.
:func:`run_fraction` turns that into the share of a run of ``epochs`` passes
done so far, which ``spacy_lstm.warmup_linear_over_text.v1`` reads. One
``spacy pretrain`` run per process: the latest reader is the run's.
"""
from typing import Optional


class TextProgress:
    """Words read through the passes of one reader."""

    def __init__(self, expected_words: int) -> None:
        self.pass_words = max(int(expected_words), 1)
        self.passes = 0
        self.read_words = 0

    def begin_pass(self) -> None:
        if self.passes and self.read_words:
            self.pass_words = self.read_words  # the pass just finished: its exact length
        self.passes += 1
        self.read_words = 0

    def read(self, words: int) -> None:
        self.read_words += words

    def fraction(self, epochs: int) -> float:
        """Share of a run of ``epochs`` passes read so far, 0-1."""
        within = min(self.read_words / self.pass_words, 1.0)
        return min((max(self.passes - 1, 0) + within) / max(epochs, 1), 1.0)


_CURRENT: Optional[TextProgress] = None


def follow(progress: TextProgress) -> None:
    """Make ``progress`` the run's (a reader does when spaCy's loop starts reading it)."""
    global _CURRENT
    _CURRENT = progress


def run_fraction(epochs: int) -> Optional[float]:
    """Share of a run of ``epochs`` passes read so far; None before any
    ``spacy_lstm.RawText.v1`` pass has begun in this process."""
    if _CURRENT is None or _CURRENT.passes == 0:
        return None
    return _CURRENT.fraction(epochs)


def reset() -> None:
    """Forget the run (tests; a new reader replaces it anyway)."""
    global _CURRENT
    _CURRENT = None


__all__ = ["TextProgress", "follow", "run_fraction", "reset"]
