"""Bad input to train-vectors: one clear line, exit 1, nothing written."""
from pathlib import Path

import pytest

from conftest import failure_line, invoke

from spacy_lstm.vectors import VectorsConfig, VectorsInputError, train_vectors
from spacy_lstm.vectors import train as train_module


def _leftovers(parent: Path, name: str):
    return sorted(p.name for p in parent.iterdir() if name in p.name)


def _bad_inputs(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n", encoding="utf8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"ang bahay\n" + bytes(range(256)) * 4)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("una linya\nang Niño ay dumating\n".encode("latin-1"))
    return {
        "empty": (empty, "no tokens"),
        "binary": (binary, "line 2: NUL byte"),
        "non-utf8": (latin1, "line 2: not valid UTF-8"),
        "missing": (tmp_path / "nope.txt", "no such file"),
    }


@pytest.mark.parametrize("case", ["empty", "binary", "non-utf8", "missing"])
def test_bad_input_is_one_line_and_leaves_nothing(tmp_path, case):
    path, expected = _bad_inputs(tmp_path)[case]
    out = tmp_path / "vectors"
    code, output = invoke("train-vectors", *[str(path), str(out), "--min-count", "1", "--tokenizer", "whitespace", "--quiet"])
    err = failure_line(output)
    assert code == 1
    assert str(path) in err and expected in err, err
    assert not out.exists()
    assert _leftovers(tmp_path, "vectors") == []


def test_bad_settings_are_rejected_before_reading(tmp_path):
    with pytest.raises(ValueError, match="mode must be"):
        train_vectors([tmp_path / "x.txt"], tmp_path / "out", VectorsConfig(mode="glove"))
    with pytest.raises(ValueError, match="minn"):
        train_vectors([tmp_path / "x.txt"], tmp_path / "out", VectorsConfig(mode="floret", minn=1))
    assert not (tmp_path / "out").exists()


def test_interrupted_export_keeps_old_output_and_leaves_no_partial(tmp_path, monkeypatch):
    text = tmp_path / "corpus.txt"
    text.write_text("ang bata ay kumain ng mangga\nang aso ay tumakbo\n" * 20, encoding="utf8")
    out = tmp_path / "vectors"
    cfg = VectorsConfig(min_count=1, dim=8, epochs=1, tokenizer="whitespace")
    train_vectors([text], out, cfg)
    before = sorted(p.name for p in out.iterdir())
    assert "vectors.vec" in before and "config.cfg" in before

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "write_spacy_dir", crash)
    with pytest.raises(KeyboardInterrupt):
        train_vectors(
            [text], out, VectorsConfig(min_count=1, dim=16, epochs=1, tokenizer="whitespace"), overwrite=True
        )
    assert sorted(p.name for p in out.iterdir()) == before
    assert _leftovers(tmp_path, "vectors") == ["vectors"]
    import spacy

    assert spacy.load(out).vocab.vectors.shape[1] == 8


def test_min_count_too_high_is_a_clear_error(tmp_path):
    text = tmp_path / "corpus.txt"
    text.write_text("isa dalawa tatlo\n", encoding="utf8")
    with pytest.raises(VectorsInputError, match="min_count=5"):
        train_vectors([text], tmp_path / "out", VectorsConfig(tokenizer="whitespace"))
    assert not (tmp_path / "out").exists()


def _corpus(tmp_path, text="ang bata ay kumain ng mangga\nang aso ay tumakbo\n" * 20):
    path = tmp_path / "corpus.txt"
    path.write_text(text, encoding="utf8")
    return path


FAST = ["--tokenizer", "whitespace", "--min-count", "1", "--dim", "8", "--epochs", "1", "--quiet"]


@pytest.mark.parametrize("args,expected", [
    (["--max-vocab", "-1"], "max_vocab must be >= 1"),
    (["--max-vocab", "0"], "max_vocab must be >= 1"),
    (["--lang", "xx_nope"], "lang 'xx_nope'"),
    (["--device", "tpu"], "device 'tpu'"),
])
def test_bad_settings_are_one_line_and_write_nothing(tmp_path, args, expected):
    out = tmp_path / "vectors"
    code, output = invoke("train-vectors", *[str(_corpus(tmp_path)), str(out), *FAST, *args])
    err = failure_line(output)
    assert code != 0
    assert expected in err, err
    assert not out.exists() and _leftovers(tmp_path, "vectors") == []


def test_a_diverging_loss_stops_and_writes_nothing(tmp_path):
    from conftest import ASSETS

    out = tmp_path / "vectors"
    raw = ASSETS / "raw" / "tl_sample-raw.txt"
    code, output = invoke("train-vectors", *[str(raw), str(out), "--tokenizer", "whitespace", "--min-count", "1", "--epochs", "3", "--quiet",
                 "--lr", "1000"])
    err = failure_line(output)
    assert code == 1 and "diverged" in err and "lower --lr" in err, err
    assert not out.exists() and _leftovers(tmp_path, "vectors") == []


def test_a_corpus_too_small_to_train_is_refused(tmp_path):
    out = tmp_path / "vectors"
    code, output = invoke("train-vectors", *[str(_corpus(tmp_path, "salita\n")), str(out), *FAST])
    err = failure_line(output)
    assert code == 1 and "too little text" in err and f"at least {train_module.MIN_TOKENS} tokens" in err, err
    assert not out.exists()


def test_a_leading_bom_is_not_part_of_the_first_word(tmp_path):
    from spacy_lstm.vectors.corpus import encode_corpus, make_tokenizer

    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfBinisita ni Ana\n")
    corpus = encode_corpus([path], tmp_path / "s.i32", make_tokenizer("whitespace"))
    assert corpus.words == ["Binisita", "ni", "Ana"]


def test_progress_in_a_log_is_written_at_intervals(monkeypatch):
    import io

    from spacy_lstm import progress

    log = io.StringIO()  # not a terminal
    monkeypatch.setattr("sys.stderr", log)
    with progress.progress_bar(total=10, desc="x") as bar:
        assert bar.mininterval == progress.LOG_INTERVAL
        for _ in range(10):
            bar.update(1)
    assert log.getvalue().count("\r") <= 3, log.getvalue()
