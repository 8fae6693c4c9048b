"""The command line, built as spaCy's own commands are: typer commands on
spaCy's ``app``, found through the ``spacy_cli`` entry point.

* ``python -m spacy lstm COMMAND ...`` (the ``lstm`` group on spaCy's CLI);
* ``python -m spacy train-vectors ...`` (kept: the first released name);
* ``python -m spacy_lstm COMMAND ...`` (the same group, run directly).

Commands: ``train-vectors`` (:mod:`.train_vectors`), ``adapt-lm`` (:mod:`.adapt_lm`), one ``convert-*``
command per converter (:mod:`.convert`) and ``annotate`` (:mod:`.annotate`).
"""
from ._app import COMMAND, lstm_app
from . import adapt_lm, annotate, convert, train_vectors  # noqa: F401  (each module registers its commands)

__all__ = ["COMMAND", "lstm_app"]
