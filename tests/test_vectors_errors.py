"""Bad input to train-vectors: one clear line, exit 1, nothing written."""
from pathlib import Path

import pytest

from spacy_lstm.vectors import VectorsConfig, VectorsInputError, train_vectors
from spacy_lstm.vectors import train as train_module
from spacy_lstm.vectors.cli import main


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
def test_bad_input_is_one_line_and_leaves_nothing(tmp_path, capsys, case):
    path, expected = _bad_inputs(tmp_path)[case]
    out = tmp_path / "vectors"
    code = main([str(path), str(out), "--min-count", "1", "--tokenizer", "whitespace", "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ") and str(path) in err and expected in err, err
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
        train_vectors([text], out, VectorsConfig(min_count=1, dim=16, epochs=1, tokenizer="whitespace"))
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
