"""Converters: valid samples convert; each malformed input names file and line, writes nothing."""
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from conftest import ASSETS
from spacy_lstm.convert.cli import main

GOOD_CONLLU = ASSETS / "ud" / "tl_sample-ud-dev.conllu"


def _run(capsys, command, *args):
    code = main(command, [str(a) for a in args])
    return code, capsys.readouterr()


def _docs(path: Path):
    return list(DocBin().from_disk(path).get_docs(spacy.blank("tl").vocab))


def test_sample_files_convert(tmp_path, capsys):
    code, _ = _run(capsys, "convert-conllu", GOOD_CONLLU, tmp_path / "ud.spacy")
    assert code == 0
    docs = _docs(tmp_path / "ud.spacy")
    assert len(docs) == GOOD_CONLLU.read_text(encoding="utf8").count("# text =")
    assert all(t.pos_ and t.dep_ for d in docs for t in d)
    code, _ = _run(capsys, "convert-ner", ASSETS / "ner" / "tl_sample-ner-dev.iob", tmp_path / "ner.spacy")
    assert code == 0
    assert {e.label_ for d in _docs(tmp_path / "ner.spacy") for e in d.ents} == {"PER", "ORG", "LOC"}
    code, _ = _run(capsys, "convert-textcat", ASSETS / "textcat" / "tl_sample-textcat-dev.csv", tmp_path / "tc.spacy")
    assert code == 0
    cats = [d.cats for d in _docs(tmp_path / "tc.spacy")]
    assert all(sorted(c) == ["negatibo", "positibo"] and sum(c.values()) == 1.0 for c in cats)


def test_iob_entities_and_iob1_starts(tmp_path, capsys):
    src = tmp_path / "a.iob"
    src.write_text("Si\tO\nJuan\tB-PER\nDela\tI-PER\nCruz\tI-PER\nsa\tO\nCebu\tI-LOC\n", encoding="utf8")
    code, out = _run(capsys, "convert-ner", src, tmp_path / "a.spacy", "--scheme", "iob1")
    assert code == 0, out.err
    (doc,) = _docs(tmp_path / "a.spacy")
    assert [(e.text, e.label_) for e in doc.ents] == [("Juan Dela Cruz", "PER"), ("Cebu", "LOC")]


def _bad_cases(tmp_path: Path):
    good = GOOD_CONLLU.read_text(encoding="utf8").splitlines()
    first_token = next(i for i, l in enumerate(good) if l and l[0].isdigit())
    cases = {}

    def conllu(name, column, value, keep=10):
        """The good file with one column of its first token line replaced (or cut)."""
        lines = list(good)
        cols = good[first_token].split("\t")
        if column is not None:
            cols[column] = value
        lines[first_token] = "\t".join(cols[:keep])
        path = tmp_path / f"{name}.conllu"
        path.write_text("\n".join(lines) + "\n", encoding="utf8")
        return path

    def text_file(name, content):
        path = tmp_path / name
        path.write_text(content, encoding="utf8")
        return path

    line = first_token + 1
    cases["conllu-columns"] = ("convert-conllu", conllu("columns", None, None, keep=7), line, "expected 10 tab-separated columns")
    cases["conllu-head"] = ("convert-conllu", conllu("head", 6, "99"), line, "HEAD '99'")
    cases["conllu-upos"] = ("convert-conllu", conllu("upos", 3, "NOUNN"), line, "UPOS 'NOUNN'")
    cases["ner-i-without-b"] = ("convert-ner", text_file("bad.iob", "Si\tO\nAna\tB-PER\n\nsa\tO\nMaynila\tI-LOC\n"), 5, "I-LOC after O")
    cases["ner-i-other-type"] = ("convert-ner", text_file("bad2.iob", "Si\tO\nAna\tB-PER\nCruz\tI-LOC\n"), 3, "after an entity of type PER")
    cases["ner-bad-tag"] = ("convert-ner", text_file("bad3.iob", "Si\tO\nAna\tPERSON\n"), 2, "not O, B-LABEL or I-LABEL")
    cases["textcat-label-column"] = ("convert-textcat", text_file("bad.csv", "sentence,category\nMasarap,positibo\n"), 1, "no column 'text'")
    cases["textcat-fields"] = ("convert-textcat", text_file("bad2.csv", "text,label\nMasarap,positibo\nPangit\n"), 3, "expected 2 fields")
    empty = tmp_path / "empty.conllu"
    empty.write_text("\n\n", encoding="utf8")
    cases["empty"] = ("convert-conllu", empty, None, "file is empty")
    latin = tmp_path / "latin.iob"
    latin.write_bytes("Si\tO\nNiño\tB-PER\n".encode("latin-1"))
    cases["non-utf8"] = ("convert-ner", latin, 2, "not valid UTF-8")
    blob = tmp_path / "blob.csv"
    blob.write_bytes(b"text,label\n\x00\x01\x02,1\n")
    cases["binary"] = ("convert-textcat", blob, 2, "NUL byte")
    cases["missing"] = ("convert-conllu", tmp_path / "nope.conllu", None, "no such file")
    return cases


CASES = [
    "conllu-columns", "conllu-head", "conllu-upos", "ner-i-without-b", "ner-i-other-type", "ner-bad-tag",
    "textcat-label-column", "textcat-fields", "empty", "non-utf8", "binary", "missing",
]


@pytest.mark.parametrize("case", CASES)
def test_malformed_input_names_file_and_line_and_writes_nothing(tmp_path, capsys, case):
    command, path, line, expected = _bad_cases(tmp_path)[case]
    out_dir = tmp_path / "out"
    code, streams = _run(capsys, command, path, out_dir / "x.spacy")
    err = streams.err.strip()
    assert code == 1
    assert len(err.splitlines()) == 1, err
    where = f"{path}, line {line}:" if line is not None else f"{path}:"
    assert err.startswith(f"error: {where}"), err
    assert expected in err, err
    assert not out_dir.exists() or list(out_dir.iterdir()) == []
