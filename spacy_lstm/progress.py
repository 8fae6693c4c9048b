"""Progress bars that suit both a terminal and a log file."""
import sys
from typing import Any

#: Seconds between progress lines when stderr is not a terminal (a project
#: or CI log), where every refresh would otherwise become one more line.
LOG_INTERVAL = 30.0


def progress_bar(**kwargs: Any):
    """A ``tqdm`` bar on stderr: refreshed live on a terminal, written at most
    every :data:`LOG_INTERVAL` seconds (and at the end) into a log."""
    from tqdm import tqdm

    if not sys.stderr.isatty():
        kwargs.setdefault("mininterval", LOG_INTERVAL)
        kwargs.setdefault("maxinterval", LOG_INTERVAL * 2)
    return tqdm(file=sys.stderr, **kwargs)
