import signal
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"


def read_conllu_docs(nlp, path: Path):
    """One Doc per sentence of a CoNLL-U file, with all its annotation
    (validated, multi-word tokens merged: the package's one reader)."""
    from spacy_lstm.convert.conllu import read_conllu_docs as read

    return read(path)


@pytest.fixture(scope="session")
def sample_train_docs():
    import spacy

    return read_conllu_docs(spacy.blank("tl"), ASSETS / "ud" / "tl_sample-ud-train.conllu")


def invoke(*args):
    """Run ``python -m spacy lstm ARGS`` in this process with typer's CliRunner;
    returns ``(exit_code, output)``."""
    from typer.testing import CliRunner

    from spacy_lstm.cli import lstm_app

    result = CliRunner().invoke(lstm_app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def failure_line(output: str) -> str:
    """The one ``msg.fail`` line of a command's output (without its icon);
    asserts there is exactly one and no traceback."""
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.startswith("✘ ")]
    assert len(lines) == 1, output
    return lines[0][2:].strip()


def default_sigint() -> None:
    """``preexec_fn`` for a child that must take Ctrl-C as a terminal user's
    command does, even when the test run itself started with SIGINT ignored
    (``nohup``, ``cmd &`` in a script): an ignored signal is inherited."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


#: How long a subprocess test waits before it calls the command hung. Not a
#: speed goal: generous enough for a loaded 2-core machine (load average 4
#: and more), so only a real hang reaches it.
HANG_TIMEOUT = 1200


def kill_group(proc) -> None:
    """Kill ``proc``'s whole process group (its children and theirs too) and
    reap it. The group outlives its leader, so this also ends workers a
    command left behind after it exited."""
    import os

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


@contextmanager
def started(cmd, **kwargs):
    """``subprocess.Popen(cmd)`` in a new session (its own process group),
    text pipes by default; on leaving the block, whatever happened, the whole
    group is killed, so no child or grandchild outlives its test."""
    import subprocess

    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    kwargs.setdefault("text", True)
    proc = subprocess.Popen([str(c) for c in cmd], start_new_session=True, **kwargs)
    try:
        yield proc
    finally:
        kill_group(proc)


def run(cmd, timeout: float = HANG_TIMEOUT, **kwargs):
    """``subprocess.run(cmd, capture_output=True, text=True)`` through
    :func:`started`: a timeout (or any failure) kills the command's whole
    process group before the test fails."""
    import subprocess

    with started(cmd, **kwargs) as proc:
        out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def wait_for(condition, proc, what: str, timeout: float = HANG_TIMEOUT, every: float = 0.05) -> None:
    """Poll ``condition()`` until it holds; fail with ``what`` if ``proc``
    exits first or after ``timeout`` seconds (a hang guard, not a speed goal)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"{what}: the command exited ({proc.returncode}) first: {proc.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {timeout} s")
        time.sleep(every)
