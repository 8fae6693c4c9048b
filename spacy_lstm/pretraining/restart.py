"""Restarts inside one ``spacy pretrain`` run (``PretrainBiLM`` ``restart_epochs``).

A resumed run (``spacy pretrain --resume-path``, or ``spacy lstm adapt-lm``)
differs from carrying on in three ways: it starts from the weights spaCy
saved (the tok2vec under the optimizer's parameter averages), with a fresh
output layer (the objective's heads are not saved), and with a fresh
optimizer (no Adam moments, update counts or averages). The project's recipe
was 4 epochs, then one resumed epoch, because earlier sessions saw that
restart raise NER and UPOS; re-measured (docs/benchmarks.md, "Restarts"),
five plain epochs did at least as well, so the configs restart nowhere and
this is a setting to measure with, not a default.

:class:`Restarts` does the same at the start of chosen epochs of one run:

1. the tok2vec is written under the averages and read back, exactly as
   spaCy's ``model{N}.bin`` and ``--resume-path`` would;
2. the objective's heads (and its output embedding) are initialised afresh;
3. the optimizer's moments, update counts and averages are dropped.

Where an epoch starts: spaCy's loop calls the corpus reader once per epoch;
``spacy_lstm.RawText.v1`` counts those passes per vocab (:func:`begin_pass`),
and the objective, made with the same vocab, reads the count. The optimizer:
Thinc hands it to every shim at each update (``Model.finish_update``), and
:class:`OptimizerShim` keeps a reference, so the first batch of a restart
epoch resets it before its own update.
"""
from typing import Any, Dict, Iterable, Optional, Set

from thinc.api import Model, Optimizer
from thinc.shims import Shim
from wasabi import msg

#: Passes begun over the pretraining corpus, by ``id(vocab)``.
_PASSES: Dict[int, int] = {}


def begin_pass(vocab: Any) -> None:
    """Called by ``spacy_lstm.RawText.v1`` whenever spaCy's loop starts reading it (once per epoch)."""
    _PASSES[id(vocab)] = _PASSES.get(id(vocab), 0) + 1


def passes(vocab: Any) -> int:
    """How many passes over the pretraining corpus have begun with ``vocab``."""
    return _PASSES.get(id(vocab), 0)


def check_restart_epochs(epochs: Iterable[int]) -> Set[int]:
    """The epochs as a set; one-line error unless each is an int >= 1."""
    epochs = list(epochs)
    if any(isinstance(e, bool) or not isinstance(e, int) or e < 1 for e in epochs):
        raise ValueError(
            "PretrainBiLM: restart_epochs must be a list of epochs >= 1 (counted from 0, as spaCy names "
            f"model{{N}}.bin; a restart at 0 would change nothing); got {epochs!r}"
        )
    return set(epochs)


class OptimizerShim(Shim):
    """A weightless shim that keeps the optimizer Thinc passes to
    ``finish_update`` and, with ``step_schedules``, advances the optimizer's
    schedules once per update after the first, as ``spacy train`` does after
    each update (``spacy pretrain`` never does, so a schedule in
    ``[pretraining.optimizer]`` stays at its first value). It holds no
    parameters and serialises to nothing."""

    def __init__(self, step_schedules: bool = False) -> None:
        super().__init__(None)
        self.optimizer: Optional[Optimizer] = None
        self.step_schedules = step_schedules

    def finish_update(self, optimizer: Optimizer) -> None:
        if self.step_schedules and self.optimizer is not None:
            optimizer.step_schedules()  # update k uses the schedules' value k
        self.optimizer = optimizer

    def to_device(self, device_type: str, device_id: int) -> None:
        pass

    def to_bytes(self) -> bytes:
        return b""

    def from_bytes(self, data: bytes) -> "OptimizerShim":
        return self


class Restarts:
    """Restart the objective ``model`` (made with ``vocab``) at the first
    batch of each of ``epochs`` (see the module docstring)."""

    def __init__(self, vocab: Any, epochs: Iterable[int], step_schedules: bool = False):
        self.vocab = vocab
        self.epochs = check_restart_epochs(epochs)
        self.done: Set[int] = set()
        self.shim = OptimizerShim(step_schedules)
        # a new objective is a new run: its passes count from here
        _PASSES[id(vocab)] = 0

    def before_batch(self, model: Model) -> None:
        """Call at the start of each training batch."""
        if not self.epochs:
            return
        n = passes(self.vocab)
        if n == 0:
            raise ValueError(
                "PretrainBiLM: restart_epochs needs [corpora.pretrain] @readers = \"spacy_lstm.RawText.v1\" "
                "(it marks where each epoch starts); this corpus reader does not"
            )
        epoch = n - 1
        if epoch in self.epochs and epoch not in self.done:
            self.done.add(epoch)
            self.restart(model, epoch)

    def restart(self, model: Model, epoch: int) -> None:
        msg.info(f"Epoch {epoch}: restart (tok2vec from its averages, fresh output layer and optimizer state)")
        optimizer = self.shim.optimizer
        tok2vec = model.get_ref("tok2vec")
        if optimizer is not None:
            if optimizer.averages:
                # what spaCy saves (model{N}.bin) and --resume-path reads back
                with model.use_params(optimizer.averages):
                    saved = tok2vec.to_bytes()
                tok2vec.from_bytes(saved)
            for state in (optimizer.mom1, optimizer.mom2, optimizer.nr_update):
                state.clear()
            if optimizer.averages is not None:
                optimizer.averages.clear()
        model.initialize()  # the objective's own init: the heads (and output embedding) only


__all__ = ["Restarts", "OptimizerShim", "begin_pass", "passes", "check_restart_epochs"]
