"""Commands never delete or overwrite what they did not write, and every
mistake is one line with a non-zero exit (the real commands, in a subprocess)."""
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from conftest import ASSETS, HANG_TIMEOUT, default_sigint, run, started, wait_for

CORPUS_LINE = "ang bata ay kumain ng mangga sa bahay namin kahapon\n"
FAST = ["--tokenizer", "whitespace", "--min-count", "1", "--dim", "8", "--epochs", "1", "--quiet"]


def cli(*args, cwd=None):
    return run(
        [sys.executable, "-m", "spacy_lstm", *[str(a) for a in args]], cwd=cwd,
    )


def one_line_error(result, code, *expected):
    err = result.stderr.strip()
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    for text in expected:
        assert text in err, err
    return err


def tree(path: Path):
    return sorted((str(p.relative_to(path)), p.read_bytes() if p.is_file() else None) for p in path.rglob("*"))


@pytest.fixture
def project(tmp_path):
    """A user's project directory: a corpus and notes that must survive."""
    proj = tmp_path / "proj"
    (proj / "data").mkdir(parents=True)
    (proj / "notes").mkdir()
    (proj / "data" / "corpus.txt").write_text(CORPUS_LINE * 30, encoding="utf8")
    (proj / "notes" / "thesis.txt").write_text("chapter 1\n", encoding="utf8")
    return proj


def test_train_vectors_refuses_a_directory_it_did_not_write(project):
    before = tree(project)
    result = cli("train-vectors", project / "data" / "corpus.txt", project, *FAST)
    one_line_error(result, 2, str(project))
    assert tree(project) == before


def test_train_vectors_refuses_output_equal_to_or_inside_an_input(project):
    corpus = project / "data" / "corpus.txt"
    before = tree(project)
    one_line_error(cli("train-vectors", corpus, corpus, *FAST), 2, "input file")
    one_line_error(cli("train-vectors", corpus, corpus / "vectors", *FAST), 2)
    link = project / "link.txt"
    link.symlink_to(corpus)
    one_line_error(cli("train-vectors", link, corpus, *FAST), 2, "input file")
    link.unlink()
    assert tree(project) == before


def test_train_vectors_refuses_the_current_directory(project):
    before = tree(project)
    result = cli("train-vectors", "data/corpus.txt", ".", *FAST, cwd=project)
    one_line_error(result, 2)
    assert tree(project) == before
    assert not [p for p in project.parent.iterdir() if ".old-" in p.name or ".tmp-" in p.name]


def test_train_vectors_replaces_its_own_output_only_with_overwrite(project):
    corpus = project / "data" / "corpus.txt"
    out = project / "vectors"
    assert cli("train-vectors", corpus, out, *FAST).returncode == 0
    first = tree(out)
    one_line_error(cli("train-vectors", corpus, out, *FAST), 2, "--overwrite")
    assert tree(out) == first
    ok = cli("train-vectors", corpus, out, *FAST, "--overwrite", "--seed", "1")
    assert ok.returncode == 0, ok.stderr
    assert tree(out) != first
    (out / "my-notes.txt").write_text("mine\n", encoding="utf8")
    one_line_error(cli("train-vectors", corpus, out, *FAST, "--overwrite"), 2, "my-notes.txt")
    assert (out / "my-notes.txt").read_text(encoding="utf8") == "mine\n"
    assert "--overwrite" in cli("train-vectors", "--help").stdout


def test_empty_output_directory_is_used(project):
    out = project / "empty"
    out.mkdir()
    result = cli("train-vectors", project / "data" / "corpus.txt", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert (out / "config.cfg").exists() and (out / "training.json").exists()


@pytest.mark.parametrize("command,src", [
    ("convert-conllu", ASSETS / "ud" / "tl_sample-ud-dev.conllu"),
    ("convert-ner", ASSETS / "ner" / "tl_sample-ner-dev.iob"),
    ("convert-textcat", ASSETS / "textcat" / "tl_sample-textcat-dev.csv"),
])
def test_convert_refuses_to_overwrite_its_input(tmp_path, command, src):
    copy = tmp_path / src.name
    copy.write_bytes(src.read_bytes())
    link = tmp_path / "link.out"
    link.symlink_to(copy)
    for out in (copy, link, Path(os.path.relpath(copy))):
        one_line_error(cli(command, copy, out), 2, "input")
    assert copy.read_bytes() == src.read_bytes()


def test_outputs_respect_the_umask(tmp_path):
    src = ASSETS / "ner" / "tl_sample-ner-dev.iob"
    old = os.umask(0o022)
    try:
        assert cli("convert-ner", src, tmp_path / "ner.spacy").returncode == 0
        corpus = tmp_path / "c.txt"
        corpus.write_text(CORPUS_LINE * 30, encoding="utf8")
        assert cli("train-vectors", corpus, tmp_path / "vec", *FAST).returncode == 0
    finally:
        os.umask(old)
    assert (tmp_path / "ner.spacy").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "vec").stat().st_mode & 0o777 == 0o755


def _bad_output_cases(tmp_path):
    src = ASSETS / "ner" / "tl_sample-ner-dev.iob"
    a_file = tmp_path / "a_file"
    a_file.write_text("x", encoding="utf8")
    a_dir = tmp_path / "a_dir"
    a_dir.mkdir()
    return {
        "parent-is-a-file": (src, a_file / "out.spacy", "is a file"),
        "output-is-a-directory": (src, a_dir, "is a directory"),
    }


@pytest.mark.parametrize("case", ["parent-is-a-file", "output-is-a-directory"])
def test_convert_bad_output_paths(tmp_path, case):
    src, out, expected = _bad_output_cases(tmp_path)[case]
    one_line_error(cli("convert-ner", src, out), 2, expected)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only directory")
def test_output_without_write_permission(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        one_line_error(cli("convert-ner", ASSETS / "ner" / "tl_sample-ner-dev.iob", locked / "x.spacy"), 2, "permission")
        corpus = tmp_path / "c.txt"
        corpus.write_text(CORPUS_LINE * 30, encoding="utf8")
        one_line_error(cli("train-vectors", corpus, locked / "vec", *FAST), 2, "permission")
    finally:
        locked.chmod(0o755)


def test_train_vectors_parent_is_a_file(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text(CORPUS_LINE * 30, encoding="utf8")
    one_line_error(cli("train-vectors", corpus, corpus.parent / "c.txt" / "vec", *FAST), 2)


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_interrupted_train_vectors_leaves_nothing(tmp_path, sig, code):
    corpus = tmp_path / "big.txt"
    corpus.write_text(CORPUS_LINE * 40000, encoding="utf8")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = tmp_path / "vec"
    env = dict(os.environ, TMPDIR=str(scratch))
    with started([sys.executable, "-m", "spacy_lstm", "train-vectors", corpus, out, "--tokenizer", "whitespace",
                  "--min-count", "1", "--dim", "64", "--epochs", "1000", "--quiet"],
                 env=env, preexec_fn=default_sigint) as proc:
        wait_for(lambda: any(scratch.iterdir()), proc, "the scratch stream")
        time.sleep(1)  # well inside the stream or the training: either must leave nothing
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=HANG_TIMEOUT)
    assert proc.returncode == code, err
    assert err.strip() == "\u2718 interrupted: no output written"
    assert list(scratch.iterdir()) == []
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt", "scratch"]
