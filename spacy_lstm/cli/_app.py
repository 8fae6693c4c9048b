"""The ``lstm`` command group and how its commands end: one line, an exit status."""
import os
import signal
import sys
from contextlib import contextmanager
from typing import Callable, Iterator, NoReturn

import typer
from spacy.cli._util import app
from wasabi import color, msg

from ..errors import Terminated, UsageError

#: How the group is reached on spaCy's CLI.
COMMAND = "python -m spacy lstm"

#: wasabi's icon for msg.fail
FAIL_ICON = "\u2718"
INTERRUPTED = "interrupted: no output written"

lstm_app = typer.Typer(
    name="lstm",
    help=(
        "spacy-lstm: convert Tagalog (or any) data to .spacy (convert-conllu, convert-ner, "
        "convert-textcat), train skip-gram vectors (train-vectors), adapt pretrained language-model "
        "weights to a task's text (adapt-lm), annotate whole corpora with a pipeline (annotate). "
        "Pretraining itself is spaCy's own `spacy pretrain` with spacy_lstm.PretrainBiLM."
    ),
    no_args_is_help=True,
)
app.add_typer(lstm_app)


def run_and_exit(body: Callable[[], None], interrupted: str = INTERRUPTED) -> None:
    """Run a command's ``body``; what it raises becomes one ``msg.fail`` line:

    * bad input data (``ValueError``, e.g. ``FILE, line N: ...``): exit 1;
    * an unusable setting or output path (:class:`UsageError`): exit 2;
    * Ctrl-C or SIGTERM: the ``finally`` blocks that made temporary files
      remove them, then ``interrupted`` (default ``interrupted: no output
      written``), exit 130 / 143.
    """
    try:
        with sigterm_raises():
            body()
    except KeyboardInterrupt:
        fail(interrupted, 128 + signal.SIGINT)
    except Terminated:
        fail(interrupted, 128 + signal.SIGTERM)
    except UsageError as err:
        fail(str(err), UsageError.exit_code)
    except ValueError as err:
        fail(str(err), 1)


def fail(message: str, code: int) -> NoReturn:
    """``msg.fail(message, exits=code)``, but on stderr and never wrapped:
    one error is one line, for logs and grep (wasabi wraps at 80 columns
    and colours even when the output is not a terminal)."""
    line = f"{FAIL_ICON} {message}"
    if sys.stderr.isatty() and msg.show_color:
        line = color(line, fg="red", bold=True)
    print(line, file=sys.stderr, flush=True)
    raise typer.Exit(code)


#: The process whose SIGTERM becomes :class:`Terminated`.
_COMMAND_PID = None


def _raise_terminated(signum, frame) -> None:
    if os.getpid() != _COMMAND_PID:
        # a forked worker (--n-process, spaCy's nlp.pipe) inherited the
        # handler: it ends as SIGTERM ends a process, without a traceback,
        # when its pool terminates it
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise Terminated()


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` in the main thread while inside
    (in this process only; forked children keep SIGTERM's default)."""
    global _COMMAND_PID
    _COMMAND_PID = os.getpid()
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
