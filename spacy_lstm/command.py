"""Running a command: one-line errors, exit statuses, clean interruption.

Every ``python -m spacy_lstm`` / ``python -m spacy`` command of this package
runs its body through :func:`run_command`, so they all behave alike:

* bad input data (a ``ValueError`` such as ``ConversionError``): one line
  ``error: FILE, line N: ...`` on stderr, exit 1;
* an unusable setting or output path (:class:`UsageError`): one line, exit 2;
* Ctrl-C (SIGINT) or SIGTERM: temporary files and partial outputs are removed
  by the ``finally`` blocks that made them, then one line
  ``interrupted: no output written``, exit 130 or 143 (128 + signal number).
"""
import signal
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

from .errors import Terminated, UsageError

INTERRUPTED = "interrupted: no output written"


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` in the main thread while inside."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def run_command(body: Callable[[], int]) -> int:
    """Run ``body`` and map what it raises to one line and an exit status."""
    try:
        with sigterm_raises():
            return body()
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 128 + signal.SIGINT
    except Terminated:
        print(INTERRUPTED, file=sys.stderr)
        return 128 + signal.SIGTERM
    except UsageError as err:
        fail(str(err))
        return UsageError.exit_code
    except ValueError as err:
        fail(str(err))
        return 1
