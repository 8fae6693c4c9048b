"""Converters: valid samples convert; each malformed input names file and line, writes nothing."""
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from conftest import ASSETS, failure_line, invoke

GOOD_CONLLU = ASSETS / "ud" / "tl_sample-ud-dev.conllu"


def _docs(path: Path):
    return list(DocBin().from_disk(path).get_docs(spacy.blank("tl").vocab))


def test_sample_files_convert(tmp_path):
    code, _ = invoke("convert-conllu", GOOD_CONLLU, tmp_path / "ud.spacy")
    assert code == 0
    docs = _docs(tmp_path / "ud.spacy")
    assert len(docs) == GOOD_CONLLU.read_text(encoding="utf8").count("# text =")
    assert all(t.pos_ and t.dep_ for d in docs for t in d)
    code, _ = invoke("convert-ner", ASSETS / "ner" / "tl_sample-ner-dev.iob", tmp_path / "ner.spacy")
    assert code == 0
    assert {e.label_ for d in _docs(tmp_path / "ner.spacy") for e in d.ents} == {"PER", "ORG", "LOC"}
    code, _ = invoke("convert-textcat", ASSETS / "textcat" / "tl_sample-textcat-dev.csv", tmp_path / "tc.spacy")
    assert code == 0
    cats = [d.cats for d in _docs(tmp_path / "tc.spacy")]
    assert all(sorted(c) == ["negatibo", "positibo"] and sum(c.values()) == 1.0 for c in cats)


def test_iob_entities_and_iob1_starts(tmp_path):
    src = tmp_path / "a.iob"
    src.write_text("Si\tO\nJuan\tB-PER\nDela\tI-PER\nCruz\tI-PER\nsa\tO\nCebu\tI-LOC\n", encoding="utf8")
    code, output = invoke("convert-ner", src, tmp_path / "a.spacy", "--scheme", "iob1")
    assert code == 0, output
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
    cases["textcat-unterminated-quote"] = ("convert-textcat", text_file("bad3.csv", "text,label\nMasarap,positibo\n\"Pangit,negatibo\nIsa pa,positibo\nAt isa,negatibo\n"), 3, "runs to line 5: an unterminated quote")
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
    "textcat-label-column", "textcat-fields", "textcat-unterminated-quote", "empty", "non-utf8", "binary", "missing",
]


@pytest.mark.parametrize("case", CASES)
def test_malformed_input_names_file_and_line_and_writes_nothing(tmp_path, case):
    command, path, line, expected = _bad_cases(tmp_path)[case]
    out_dir = tmp_path / "out"
    code, output = invoke(command, path, out_dir / "x.spacy")
    err = failure_line(output)
    assert code == 1
    where = f"{path}, line {line}:" if line is not None else f"{path}:"
    assert err.startswith(f"{where}"), err
    assert expected in err, err
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def _conllu(rows, text="x"):
    """One sentence of CoNLL-U from (ID, FORM, UPOS, HEAD, DEPREL) tuples."""
    lines = [f"# text = {text}"]
    for token_id, form, upos, head, deprel in rows:
        lemma = form if upos != "_" else "_"
        lines.append("\t".join([token_id, form, lemma, upos, "_", "_", head, deprel, "_", "_"]))
    return "\n".join(lines) + "\n\n"


MWT = _conllu(
    [("1", "Maganda", "ADJ", "0", "root"), ("2-3", "itong", "_", "_", "_"), ("2", "ito", "PRON", "4", "det"),
     ("3", "-ng", "PART", "2", "mark"), ("4", "bahay", "NOUN", "1", "nsubj"), ("5", ".", "PUNCT", "1", "punct")],
    "Maganda itong bahay.",
)


def test_multiword_tokens_are_merged_by_default(tmp_path):
    src = tmp_path / "mwt.conllu"
    src.write_text(MWT, encoding="utf8")
    code, output = invoke("convert-conllu", src, tmp_path / "merged.spacy")
    assert code == 0, output
    (doc,) = _docs(tmp_path / "merged.spacy")
    assert [t.text for t in doc] == ["Maganda", "itong", "bahay", "."]
    assert doc[1].head.text == "bahay" and doc[2].head.text == "Maganda"
    code, output = invoke("convert-conllu", src, tmp_path / "split.spacy", "--keep-subtokens")
    assert code == 0, output
    (doc,) = _docs(tmp_path / "split.spacy")
    assert [t.text for t in doc] == ["Maganda", "ito", "-ng", "bahay", "."]


def _tree_cases():
    base = [("1", "A", "NOUN"), ("2", "B", "NOUN"), ("3", "C", "NOUN"), ("4", "D", "NOUN")]

    def with_heads(*heads, extra=()):
        return _conllu([(i, f, u, h, "dep") for (i, f, u), h in zip(base, heads)] + list(extra))

    return {
        "cycle-2": (with_heads("2", "1", "0", "3"), 2, "HEAD chain"),
        "cycle-3": (with_heads("0", "3", "4", "2"), 3, "cycle"),
        "self-head": (with_heads("0", "2", "1", "1"), 3, "own ID"),
        "two-roots": (with_heads("0", "1", "0", "1"), 4, "second root"),
        "mwt-out-of-range": (_conllu([("1", "A", "NOUN", "0", "root"), ("5-9", "BC", "_", "_", "_"),
                                      ("2", "B", "NOUN", "1", "dep")]), 3, "multi-word range 5-9"),
        "superscript-id": (_conllu([("1", "A", "NOUN", "0", "root"), ("²", "B", "NOUN", "1", "dep")]), 3, "ID '²'"),
        "superscript-head": (_conllu([("1", "A", "NOUN", "0", "root"), ("2", "B", "NOUN", "¹", "dep")]), 3, "HEAD '¹'"),
    }


@pytest.mark.parametrize("case", sorted(_tree_cases()))
def test_invalid_trees_and_ids_are_rejected(tmp_path, case):
    text, line, expected = _tree_cases()[case]
    src = tmp_path / "bad.conllu"
    src.write_text(text, encoding="utf8")
    code, output = invoke("convert-conllu", src, tmp_path / "out.spacy")
    err = failure_line(output)
    assert code == 1, err
    assert err.startswith(f"{src}, line {line}:") and expected in err, err
    assert not (tmp_path / "out.spacy").exists()


def test_n_sents_must_be_positive(tmp_path):
    code, output = invoke("convert-conllu", GOOD_CONLLU, tmp_path / "x.spacy", "--n-sents", "0")
    assert code == 2 and "--n-sents" in failure_line(output)


UNER = """# sent_id = trg-1
# text = Pumunta si Juan sa Maynila.
1\tPumunta\tO\t-\t-
2\tsi\tO\t-\t-
3\tJuan\tB-PER\t-\t-
4\tsa\tO\t-\t-
5\tMaynila\tB-LOC\t-\t-
6\t.\tO\t-\t-

# sent_id = trg-2
# text = Ang Kagawaran ng Edukasyon
1\tAng\tO\t-\t-
2\tKagawaran\tB-ORG\t-\t-
3\tng\tI-ORG\t-\t-
4\tEdukasyon\tI-ORG\t-\t-
"""


def test_universal_ner_layout_converts(tmp_path):
    src = tmp_path / "tl_trg-ud-test.iob2"
    src.write_text(UNER, encoding="utf8")
    code, output = invoke("convert-ner", src, tmp_path / "uner.spacy")
    assert code == 0, output
    docs = _docs(tmp_path / "uner.spacy")
    assert [t.text for t in docs[0]] == ["Pumunta", "si", "Juan", "sa", "Maynila", "."]
    assert [(e.text, e.label_) for d in docs for e in d.ents] == [
        ("Juan", "PER"), ("Maynila", "LOC"), ("Kagawaran ng Edukasyon", "ORG")
    ]
    bad = tmp_path / "bad.iob2"
    bad.write_text(UNER.replace("3\tJuan", "7\tJuan"), encoding="utf8")
    code, output = invoke("convert-ner", bad, tmp_path / "bad.spacy")
    assert code == 1 and f"{bad}, line 5: expected token ID 3" in output


@pytest.mark.parametrize("command,content,check", [
    ("convert-ner", "Binisita\tO\nni\tO\nAna\tB-PER\n", lambda d: d[0][0].text == "Binisita"),
    ("convert-textcat", "text,label\nMasarap,positibo\nPangit,negatibo\n",
     lambda d: sorted(d[0].cats) == ["negatibo", "positibo"]),
    ("convert-conllu", None, lambda d: d[0][0].text == "Maganda"),
])
def test_utf8_bom_is_dropped(tmp_path, capsys, command, content, check):
    src = tmp_path / ("bom.csv" if command == "convert-textcat" else "bom.txt")
    src.write_bytes(b"\xef\xbb\xbf" + (content or MWT).encode("utf8"))
    code, output = invoke(command, src, tmp_path / "bom.spacy")
    assert code == 0, output
    assert check(_docs(tmp_path / "bom.spacy"))


def test_textcat_long_fields_are_legitimate(tmp_path):
    src = tmp_path / "long.csv"
    long_text = "mahaba " * 40000
    src.write_text(f"text,label\n\"{long_text}\",1\nmaikli,0\n", encoding="utf8")
    code, output = invoke("convert-textcat", src, tmp_path / "long.spacy")
    assert code == 0, output
    assert len(_docs(tmp_path / "long.spacy")[0]) == 40000
