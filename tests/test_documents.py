"""The one document reader (spacy_lstm.documents): every format, plain and
gzipped, its one error type, and that every command reading documents takes
every format it can use."""
import gzip
import json

import pytest
import spacy
from spacy.tokens import DocBin

from spacy_lstm.documents import (
    BadDocument,
    DocumentError,
    FORMATS,
    FORMATS_HELP,
    document_format,
    iter_documents,
    iter_texts,
)

CONLLU = (
    "# text = Kumain ang bata.\n"
    "1\tKumain\tkain\tVERB\t_\t_\t0\troot\t_\t_\n"
    "2\tang\tang\tADP\t_\t_\t3\tcase\t_\t_\n"
    "3\tbata\tbata\tNOUN\t_\t_\t1\tnsubj\t_\tSpaceAfter=No\n"
    "4\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n"
    "\n"
    "1\tUmuulan\tulan\tVERB\t_\t_\t0\troot\t_\t_\n"
    "\n"
)
TEXTS = ["Kumain ang bata.", "Umuulan"]


def _write(path, data: str, gz: bool = False):
    if gz:
        path = path.with_name(path.name + ".gz")
        with gzip.open(path, "wb") as handle:
            handle.write(data.encode("utf8"))
    else:
        path.write_text(data, encoding="utf8")
    return path


def _docbin(path):
    nlp = spacy.blank("tl")
    DocBin(docs=[nlp(t) for t in TEXTS]).to_disk(path)
    return path


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("suffix", [".txt", ".jsonl", ".conllu"])
def test_every_text_format_plain_and_gzipped(tmp_path, suffix, gz):
    data = {
        ".txt": "\ufeffKumain ang bata.\n\n  \nUmuulan\n",
        ".jsonl": "".join(json.dumps({"text": t, "id": i}) + "\n" for i, t in enumerate(TEXTS)) + "\n",
        ".conllu": CONLLU,
    }[suffix]
    path = _write(tmp_path / f"in{suffix}", data, gz)
    assert document_format(path) == suffix
    documents = list(iter_documents(path))
    assert [d.text for d in documents] == TEXTS
    assert [d.number for d in documents] == {".txt": [1, 4], ".jsonl": [1, 2], ".conllu": [1, 2]}[suffix]
    if suffix == ".jsonl":
        assert [d.meta for d in documents] == [{"id": 0}, {"id": 1}]
    if suffix in (".txt", ".jsonl") and not gz:  # byte offsets: a segment reads the same lines
        second = documents[1]
        again = list(iter_documents(path, start_byte=second.start, end_byte=second.end, first_line=second.number))
        assert again == [second]
    else:
        assert documents[0].start is None


def test_a_docbin_gives_texts_and_its_own_tokens(tmp_path):
    documents = list(iter_documents(_docbin(tmp_path / "in.spacy")))
    assert [d.text for d in documents] == TEXTS and documents[0].words == ["Kumain", "ang", "bata", "."]


@pytest.mark.parametrize("name, data, expected", [
    ("bad.txt", b"Una\n\xffIkalawa\n", "bad.txt, line 2: not valid UTF-8 (byte 0xff at column 1)"),
    ("nul.txt", b"Una\x00\n", "nul.txt, line 1: NUL byte found"),
    ("bad.jsonl", b'{"text": "Una"}\n{"text": \n', "bad.jsonl, line 2: invalid JSON"),
    ("list.jsonl", b'["Una"]\n', 'list.jsonl, line 1: expected an object with a "text" string'),
    ("bad.conllu", CONLLU.replace("\tVERB\t", "\tVERBO\t", 1).encode(), "bad.conllu, line 2: UPOS 'VERBO'"),
    ("bad.spacy", b"not a docbin", "bad.spacy: not a spaCy DocBin (.spacy) file"),
    ("cut.txt.gz", gzip.compress(b"Una\nIkalawa\n" * 1000)[:-40], "cut.txt.gz, line "),
    ("in.spacy.gz", b"", "in.spacy.gz: a .spacy file is compressed already"),
])
def test_bad_input_is_one_line_naming_file_and_line(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError) as info:
        list(iter_documents(path))
    message = str(info.value)
    assert message.startswith(f"{tmp_path}/{expected}") and "\n" not in message


def test_missing_directory_and_unknown_formats(tmp_path):
    with pytest.raises(DocumentError, match="no such file; expected .txt"):
        list(iter_documents(tmp_path / "none.txt"))
    with pytest.raises(DocumentError, match="is a directory"):
        list(iter_documents(tmp_path))
    odd = _write(tmp_path / "in.md", "Isa\n")
    assert list(iter_texts(odd)) == ["Isa"]  # plain text by default
    with pytest.raises(DocumentError, match=r"in.md: unknown format \.md; expected \.txt"):
        list(iter_documents(odd, plain_text_default=False))


def test_skip_bad_yields_the_bad_documents_and_goes_on(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"text": "Una"}\nnot json\n{"text": "' + b"x" * 50 + b'"}\n{"text": "Huli"}\n')
    items = list(iter_documents(path, skip_bad=True, max_chars=20))
    assert [type(i).__name__ for i in items] == ["Document", "BadDocument", "BadDocument", "Document"]
    bad = [i for i in items if isinstance(i, BadDocument)]
    assert bad[0].error.startswith(f"{path}, line 2: invalid JSON") and "max_length" in bad[1].error


def test_every_command_that_reads_documents_takes_every_format(tmp_path):
    """RawText.v1 (spacy pretrain), train-vectors and annotate read through
    the one reader, and their --help names every format."""
    from spacy_lstm.pretraining.raw_text import iter_texts as raw_texts
    from spacy_lstm.vectors.corpus import iter_token_lists

    from conftest import invoke

    inputs = [
        _write(tmp_path / "a.conllu", CONLLU, gz=True),
        _write(tmp_path / "b.jsonl", "".join(json.dumps({"text": t}) + "\n" for t in TEXTS)),
        _docbin(tmp_path / "c.spacy"),
    ]
    for path in inputs:
        assert list(raw_texts(path)) == TEXTS
        tokens = list(iter_token_lists([path], lambda texts: (t.split() for t in texts)))
        assert tokens in ([["Kumain", "ang", "bata."], ["Umuulan"]], [["Kumain", "ang", "bata", "."], ["Umuulan"]])
    for command in ("annotate", "train-vectors", "adapt-lm"):
        code, output = invoke(command, "--help")
        flat = " ".join(output.split())
        assert code == 0 and all(suffix in flat for suffix in FORMATS) and ".gz" in flat, (command, flat)
    assert all(suffix in FORMATS_HELP for suffix in FORMATS)
