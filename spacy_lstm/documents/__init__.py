"""The one reader of input documents, streamed, for every command.

Formats, by suffix (a last ``.gz`` is decompressed as it streams):

* ``.txt`` (and, where a reader takes plain text by default, any other
  suffix): one document per non-blank line;
* ``.jsonl``: one JSON object per line with a ``"text"`` string; its other
  fields are the document's ``meta``;
* ``.conllu``: one document per sentence, validated (``documents/conllu.py``):
  its ``# text =`` comment, else its surface forms joined by spaces;
* ``.spacy``: a spaCy DocBin, one document per doc (its text and its tokens).

Bad input raises :class:`DocumentError`: one line naming the file and the
line (sentence, doc) and what was expected. ``pretraining`` (``RawText.v1``),
``vectors`` (``train-vectors``) and ``annotate`` read through here; the
converters use the same line decoder and CoNLL-U rules.
"""
import json
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Union

from .conllu import iter_conllu_texts
from .errors import DocumentError
from .lines import decode_line, iter_lines, open_binary, raw_lines

#: The formats, each with what it holds (for ``--help`` and errors).
FORMATS = {
    ".txt": "one document per line",
    ".jsonl": "{\"text\": ...} per line",
    ".conllu": "one document per sentence",
    ".spacy": "a DocBin, one document per doc",
}
#: One line for a command's ``--help``.
FORMATS_HELP = (".txt (one document per line), .jsonl ({\"text\": ...} per line), .conllu (one per sentence) "
                "or .spacy (DocBin); .txt, .jsonl and .conllu may be gzipped (.gz)")
#: Formats read line by line, whose documents have byte offsets.
LINE_FORMATS = (".txt", ".jsonl")


class Document(NamedTuple):
    """One document and where it comes from."""

    number: int  # line (.txt, .jsonl), sentence (.conllu) or doc (.spacy) number, from 1
    text: str  # .txt: the line without its line break
    meta: Dict[str, Any]  # .jsonl: the fields other than "text"
    start: Optional[int]  # byte offset of the line in an uncompressed .txt/.jsonl, else None
    end: Optional[int]  # byte offset after it
    words: Optional[List[str]]  # .spacy: the doc's tokens (no whitespace tokens), else None


class BadDocument(NamedTuple):
    """A document that could not be read (with ``skip_bad``): its number and the one-line error."""

    number: int
    error: str


def document_format(path: Union[str, Path], plain_text_default: bool = True) -> str:
    """The format of ``path`` from its suffix, a last ``.gz`` aside. Another
    suffix is ``.txt`` with ``plain_text_default``, else a :class:`DocumentError`."""
    path = Path(path)
    suffix = Path(path.stem).suffix if path.suffix == ".gz" else path.suffix
    if suffix == ".spacy" and path.suffix == ".gz":
        raise DocumentError(f"{path}: a .spacy file is compressed already; give it without .gz")
    if suffix in FORMATS:
        return suffix
    if plain_text_default:
        return ".txt"
    raise DocumentError(f"{path}: unknown format {suffix or '(no suffix)'}; expected {FORMATS_HELP}")


def check_document_file(path: Union[str, Path], plain_text_default: bool = True) -> Path:
    """``path`` if it is a file in a readable format, else one line saying why."""
    path = Path(path)
    if not path.exists():
        raise DocumentError(f"{path}: no such file; expected {FORMATS_HELP}")
    if not path.is_file():
        raise DocumentError(f"{path}: is a directory, expected a file")
    document_format(path, plain_text_default)
    return path


def iter_documents(
    path: Union[str, Path],
    plain_text_default: bool = True,
    skip_bad: bool = False,
    max_chars: int = 0,
    start_byte: int = 0,
    end_byte: Optional[int] = None,
    first_line: int = 1,
) -> Iterator[Union[Document, BadDocument]]:
    """Every non-blank document of ``path``, in order, streamed.

    A document that cannot be read, or longer than ``max_chars`` characters
    (0: no limit), raises :class:`DocumentError`, or with ``skip_bad`` is
    yielded as :class:`BadDocument`. ``start_byte``, ``end_byte`` and
    ``first_line`` read a segment of whole lines of an uncompressed .txt or
    .jsonl file (a shard of ``annotate``)."""
    path = check_document_file(path, plain_text_default)
    fmt = document_format(path, plain_text_default)
    if fmt in LINE_FORMATS:
        yield from _line_documents(path, fmt == ".jsonl", skip_bad, max_chars, start_byte, end_byte, first_line)
        return
    unit = "sentence" if fmt == ".conllu" else "doc"
    items = ((text, None) for text in iter_conllu_texts(path)) if fmt == ".conllu" else _docbin_items(path)
    for number, (text, words) in enumerate(items, start=1):
        try:
            _check_length(text, max_chars)
        except ValueError as err:
            if not skip_bad:
                raise DocumentError(path, number, str(err), unit=unit) from None
            yield BadDocument(number, str(DocumentError(path, number, str(err), unit=unit)))
            continue
        if text.strip():
            yield Document(number, text, {}, None, None, words)


def iter_texts(path: Union[str, Path], plain_text_default: bool = True) -> Iterator[str]:
    """The text of each document of ``path`` (see :func:`iter_documents`)."""
    for document in iter_documents(path, plain_text_default):
        yield document.text  # type: ignore[union-attr]  (no BadDocument without skip_bad)


def _check_length(text: str, max_chars: int) -> None:
    if max_chars and len(text) > max_chars:
        raise ValueError(f"{len(text):,} characters, more than the pipeline's max_length ({max_chars:,}); "
                         "--skip-bad skips it")


def _line_documents(path: Path, jsonl: bool, skip_bad: bool, max_chars: int, start_byte: int,
                    end_byte: Optional[int], first_line: int) -> Iterator[Union[Document, BadDocument]]:
    compressed = path.suffix == ".gz"
    offset = start_byte
    with open_binary(path) as handle:
        if start_byte:
            handle.seek(start_byte)
        for number, raw in raw_lines(handle, path, DocumentError, first_line):
            if end_byte is not None and offset >= end_byte:
                break
            start, offset = offset, offset + len(raw)
            try:
                text, meta = parse_line(raw, number == 1, jsonl)
                _check_length(text, max_chars)
            except ValueError as err:
                if not skip_bad:
                    raise DocumentError(path, number, str(err)) from None
                yield BadDocument(number, str(DocumentError(path, number, str(err))))
                continue
            if text.strip():
                yield Document(number, text, meta, None if compressed else start, None if compressed else offset,
                               None)


def parse_line(raw: bytes, first: bool, jsonl: bool):
    """(text, meta) of one raw line of a .txt or .jsonl file; ValueError says what is wrong."""
    line = decode_line(raw, first=first)
    if not jsonl:
        return line.rstrip("\r\n"), {}
    if not line.strip():
        return "", {}
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"invalid JSON ({err.msg} at column {err.colno}); expected {{\"text\": ...}}") from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise ValueError("expected an object with a \"text\" string")
    text = record.pop("text")
    return text, record


def _docbin_items(path: Path):
    """(text, tokens) of each doc of a DocBin; one line if it is not one."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    try:
        doc_bin = DocBin().from_disk(path)
    except Exception as err:  # msgpack, zlib and key errors alike: one line, naming the file
        detail = (str(err).strip().splitlines() or [""])[0]
        raise DocumentError(f"{path}: not a spaCy DocBin (.spacy) file ({type(err).__name__}: {detail})") from None
    for doc in doc_bin.get_docs(Vocab()):
        yield doc.text, [token.text for token in doc if not token.is_space]


__all__ = ["BadDocument", "Document", "DocumentError", "FORMATS", "FORMATS_HELP", "LINE_FORMATS",
           "check_document_file", "document_format", "iter_documents", "iter_lines", "iter_texts", "parse_line"]
