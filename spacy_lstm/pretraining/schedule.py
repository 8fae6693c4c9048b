"""``spacy_lstm.warmup_linear_over_text.v1``: a learning-rate schedule sized by the text.

Thinc's ``warmup_linear.v1`` counts optimizer steps, so its ``total_steps``
must be worked out for each corpus, budget, batch size and epoch count, and a
wrong guess either stops training early (the rate reaches 0) or never
decays. This schedule counts the run's progress through its raw text
instead (:mod:`spacy_lstm.pretraining.progress`, reported by
``spacy_lstm.RawText.v1``): the rate rises linearly from 0 over the first
``warmup`` share of the run, then falls linearly to 0 at the end of its last
epoch, whatever the text's size. ULMFiT's slanted triangle without its
floor; with ``[pretraining] max_epochs`` as ``epochs`` (interpolated in the
configs), one setting sizes it.

``spacy pretrain`` never advances optimizer schedules; ``PretrainBiLM``
advances this one once per update whatever its ``step_schedules`` (that
setting advances every schedule). Under ``spacy train`` or without
``RawText.v1`` it stops with one line: it has no text to count.
"""
from spacy.util import registry

from .progress import run_fraction
from .stop import settings_checked


class WarmupLinearOverText:
    """An infinite iterator of learning rates (see the module docstring)."""

    def __init__(self, initial_rate: float, warmup: float, epochs: int) -> None:
        if not initial_rate > 0:
            raise ValueError(f"spacy_lstm.warmup_linear_over_text.v1: initial_rate must be > 0; got {initial_rate}")
        if not 0 <= warmup < 1:
            raise ValueError(f"spacy_lstm.warmup_linear_over_text.v1: warmup is a share of the run, 0 <= warmup < 1; "
                             f"got {warmup}")
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"spacy_lstm.warmup_linear_over_text.v1: epochs must be an int >= 1 (the run's "
                             f"[pretraining] max_epochs); got {epochs!r}")
        self.initial_rate = float(initial_rate)
        self.warmup = float(warmup)
        self.epochs = epochs
        self.calls = 0

    def rate(self, fraction: float) -> float:
        """The rate at ``fraction`` (0-1) of the run."""
        if fraction < self.warmup:
            return self.initial_rate * fraction / self.warmup
        return self.initial_rate * max(0.0, (1.0 - fraction) / (1.0 - self.warmup))

    def __iter__(self) -> "WarmupLinearOverText":
        return self

    def __next__(self) -> float:
        self.calls += 1
        fraction = run_fraction(self.epochs)
        if fraction is None:
            if self.calls == 1:  # the optimizer's own first read, before the text is opened
                return self.rate(0.0)
            raise ValueError(
                "spacy_lstm.warmup_linear_over_text.v1 counts progress through the pretraining text: it needs "
                "spacy pretrain with [corpora.pretrain] @readers = \"spacy_lstm.RawText.v1\""
            )
        return self.rate(fraction)


@registry.schedules("spacy_lstm.warmup_linear_over_text.v1")
def warmup_linear_over_text(initial_rate: float, warmup: float = 0.03, epochs: int = 1) -> WarmupLinearOverText:
    """A learning rate that warms up over the first ``warmup`` share of a
    pretraining run and decays linearly to 0 at its end, sized by the raw
    text's words, not by steps (see the module docstring).

    initial_rate (float): The peak rate, reached at the end of the warm-up.
        Adam on the configs' language model: 0.001-0.003.
    warmup (float): Share of the run spent warming up. 0-0.1.
    epochs (int): Passes over the text in the run: ``${pretraining.max_epochs}``.
    """
    with settings_checked():
        return WarmupLinearOverText(initial_rate, warmup, epochs)


__all__ = ["WarmupLinearOverText", "warmup_linear_over_text"]
