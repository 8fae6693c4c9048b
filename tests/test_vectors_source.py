"""The project's vectors_source: vectors taken from another pipeline (a
stand-in for calamanCy's, built here and loaded by path)."""
import json
import sys

import numpy
import spacy
from spacy.training.initialize import load_vectors_into_model

from conftest import ROOT, run

SCRIPT = ROOT / "scripts" / "vectors.py"


def _standin(path, with_vectors=True):
    nlp = spacy.blank("tl")
    if with_vectors:
        for i, word in enumerate("ang bata ay kumain ng mangga".split()):
            nlp.vocab.set_vector(word, numpy.arange(4, dtype="f") + i)
    nlp.to_disk(path)
    return nlp


def _run(*args):
    return run([sys.executable, str(SCRIPT), *map(str, args)])


def test_vectors_come_from_the_source_pipeline(tmp_path):
    source = _standin(tmp_path / "standin")
    out = tmp_path / "vectors" / "tl_sample"
    result = _run("--source", tmp_path / "standin", "unused.txt", out, "--mode", "floret", "--quiet", "--overwrite")
    assert result.returncode == 0, result.stderr
    info = json.loads((out / "vectors_source.json").read_text())
    assert info["shape"][1] == 4 and info["keys"] == 6 and info["mode"] == "default"
    nlp = spacy.blank("tl")
    load_vectors_into_model(nlp, str(out))  # what [initialize] vectors does
    numpy.testing.assert_array_equal(nlp.vocab.get_vector("mangga"), source.vocab.get_vector("mangga"))
    again = _run("--source", tmp_path / "standin", "unused.txt", out, "--overwrite")  # its own output: replaced
    assert again.returncode == 0, again.stderr


def test_a_source_without_vectors_or_a_foreign_output_is_refused(tmp_path):
    _standin(tmp_path / "novectors", with_vectors=False)
    result = _run("--source", tmp_path / "novectors", "unused.txt", tmp_path / "out")
    assert result.returncode == 2 and "has no vectors" in result.stderr and not (tmp_path / "out").exists()
    _standin(tmp_path / "standin")
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    result = _run("--source", tmp_path / "standin", "unused.txt", foreign, "--overwrite")
    assert result.returncode == 2 and (foreign / "keep.txt").read_text() == "mine"
    result = _run("--source", "no_such_pipeline_package", "unused.txt", tmp_path / "x")
    assert result.returncode == 2 and "not an installed pipeline package" in result.stderr
