import signal
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
