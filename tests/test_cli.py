"""The command line: spaCy's CLI finds the ``lstm`` group through the
``spacy_cli`` entry point; every command and option has help; errors are one
``✘`` line with the exit status of their kind (CliRunner and subprocess)."""
import sys
from importlib.metadata import entry_points

import pytest
import typer

from conftest import ASSETS, failure_line, invoke, run

COMMANDS = ["train-vectors", "adapt-lm", "convert-conllu", "convert-ner", "convert-textcat", "annotate"]


def _spacy(*args):
    return run([sys.executable, "-m", "spacy", *args])


def test_the_entry_point_adds_the_lstm_group_to_spacys_cli():
    assert [ep.value for ep in entry_points(group="spacy_cli") if ep.name == "lstm"] == ["spacy_lstm.cli:lstm_app"]
    out = _spacy("lstm", "--help")
    assert out.returncode == 0, out.stderr
    for command in COMMANDS:
        assert command in out.stdout


def test_the_group_help_names_every_command():
    """The group's own description (not only typer's command table) names each registered command."""
    from spacy_lstm.cli import lstm_app

    group = typer.main.get_command(lstm_app)
    assert sorted(group.commands) == sorted(COMMANDS)
    for command in COMMANDS:
        assert f"({command}" in group.help or f" {command})" in group.help or f", {command}" in group.help, command


@pytest.mark.parametrize("argv", [["train-vectors"], ["lstm", "convert-ner"]])
def test_spacy_runs_the_commands_help(argv):
    out = _spacy(*argv, "--help")
    assert out.returncode == 0, out.stderr
    assert "Usage: python -m spacy " + " ".join(argv) in out.stdout


def test_python_m_spacy_lstm_is_an_alias():
    out = run([sys.executable, "-m", "spacy_lstm", "--help"])
    assert out.returncode == 0, out.stderr
    assert all(command in out.stdout for command in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_argument_and_option_has_help(command):
    from spacy_lstm.cli import lstm_app

    group = typer.main.get_command(lstm_app)
    params = group.commands[command].params
    assert params
    for param in params:
        if param.name != "help":
            assert (param.help or "").strip(), f"{command}: {param.name} has no help"


def test_gpu_id_selects_the_device_and_conflicts_with_device(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("ang bata ay kumain ng mangga sa bahay\n" * 5, encoding="utf8")
    code, output = invoke("train-vectors", corpus, tmp_path / "v", "--gpu-id", "0", "--device", "cpu")
    assert code == 2 and failure_line(output) == "give --gpu-id or --device, not both"
    code, output = invoke("train-vectors", corpus, tmp_path / "v", "--gpu-id", "-2")
    assert code == 2 and "--gpu-id must be -1" in failure_line(output)
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except ImportError:  # pragma: no cover
        has_cuda = False
    if not has_cuda:
        code, output = invoke("train-vectors", corpus, tmp_path / "v", "--gpu-id", "0")
        assert code == 2 and "'cuda:0' requested but CUDA is not available" in failure_line(output)
    assert not (tmp_path / "v").exists()


def test_a_converter_reports_what_it_wrote(tmp_path):
    out = tmp_path / "ner.spacy"
    code, output = invoke("convert-ner", ASSETS / "ner" / "tl_sample-ner-dev.iob", out)
    assert code == 0, output
    assert "Wrote " in output and str(out) in output and out.is_file()


def test_typers_own_usage_errors_exit_2(tmp_path):
    code, output = invoke("convert-ner", tmp_path / "only-one-argument.iob")
    assert code == 2 and "Missing argument" in output
    code, output = invoke("train-vectors", tmp_path / "c.txt", tmp_path / "v", "--dim", "wide")
    assert code == 2 and "--dim" in output


def test_the_readme_example_error_is_what_the_cli_prints(tmp_path):
    """README's example of a bad-input error has the CLI's exact form."""
    import re

    from conftest import ROOT

    example = next(line for line in (ROOT / "README.md").read_text(encoding="utf8").splitlines()
                   if line.startswith("✘ corpus.txt, line "))
    bad = tmp_path / "corpus.txt"
    bad.write_bytes(b"Una\nIkalawa \xf1 salita\n")
    code, output = invoke("train-vectors", bad, tmp_path / "out", "--quiet")
    line = next(line for line in output.splitlines() if line.startswith("✘ "))
    shape = re.compile(r"\d+")
    assert code == 1 and shape.sub("N", line.replace(str(bad), "corpus.txt")) == shape.sub("N", example)
