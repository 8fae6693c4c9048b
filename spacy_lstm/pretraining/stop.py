"""One-line stops under spaCy's own ``spacy pretrain`` command.

spaCy's pretrain command prints a full traceback for an error raised while
it builds the objective or the corpus reader from the config. A bad setting
or an unreadable raw text is the user's input, not a bug: under that command
it is said in one line (``✘`` and the message) and the command exits 1,
before spaCy's loop starts, so no weights are written. Called anywhere else
(Python, tests, ``spacy train``), the error is raised as usual.
"""
import sys
from contextlib import contextmanager
from typing import Iterator


def under_spacy_pretrain() -> bool:
    """Whether this process is ``spacy pretrain`` (``python -m spacy pretrain``
    or the ``spacy`` script)."""
    argv = [a.replace("\\", "/") for a in sys.argv[:2]]
    return len(argv) == 2 and argv[1] == "pretrain" and (
        argv[0].endswith("/spacy") or argv[0].endswith("/spacy/__main__.py") or argv[0] == "spacy")


def stop_spacy_pretrain(err: Exception) -> None:
    """Under ``spacy pretrain``, say ``err`` in one line and exit 1; elsewhere
    return, so that the caller re-raises it."""
    if under_spacy_pretrain():
        print(f"\u2718 {err}", file=sys.stderr, flush=True)
        raise SystemExit(1)


@contextmanager
def settings_checked() -> Iterator[None]:
    """A ``ValueError`` raised inside (a bad setting) stops ``spacy pretrain``
    in one line; elsewhere it propagates unchanged."""
    try:
        yield
    except ValueError as err:
        stop_spacy_pretrain(err)
        raise
