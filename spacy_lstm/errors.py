"""Error types shared by every command, and the exit status each one means."""


class UsageError(ValueError):
    """A setting or path the user gave cannot be used; nothing was touched.

    Commands exit with status 2 on it (as argparse and typer do for usage
    errors); bad input data exits with 1.
    """

    exit_code = 2


class Terminated(BaseException):
    """Raised in the main thread when the process receives SIGTERM.

    A ``BaseException`` like ``KeyboardInterrupt``, so ``except Exception``
    blocks don't swallow it and every ``finally`` (temporary files,
    directories) runs on the way out.
    """
