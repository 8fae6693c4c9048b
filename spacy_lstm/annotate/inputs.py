"""The documents to annotate, streamed from plain text, JSONL, CoNLL-U or .spacy."""
import json
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Union

from ..textfile import decode_line

#: Suffixes read line by line (one document per line).
LINE_FORMATS = (".txt", ".jsonl")
FORMATS = (".txt", ".jsonl", ".conllu", ".spacy")


class AnnotateInputError(ValueError):
    """An input cannot be read; the message names the file and line."""


class Record(NamedTuple):
    """One document to annotate and where it comes from."""

    input: int  # index into the list of inputs
    line: int  # line number (.txt/.jsonl), sentence number (.conllu) or doc number (.spacy), from 1
    start: Optional[int]  # byte offset of the line (.txt/.jsonl), else None
    end: Optional[int]  # byte offset after the line
    text: str
    meta: Dict[str, Any]  # JSONL fields other than "text" (kept as the Doc's user_data)


class BadLine(NamedTuple):
    """A line that could not be read (counted and listed with --skip-bad)."""

    input: int
    line: int
    error: str


def check_inputs(paths: Sequence[Union[str, Path]]) -> List[Path]:
    """The inputs as paths; one line for a missing file or an unknown format."""
    out = []
    for path in map(Path, paths):
        if not path.is_file():
            raise AnnotateInputError(f"{path}: no such file")
        if path.suffix not in FORMATS:
            raise AnnotateInputError(
                f"{path}: unknown format {path.suffix or '(no suffix)'}; expected one of {', '.join(FORMATS)} "
                "(.txt: one document per line; .jsonl: {\"text\": ...} per line)"
            )
        out.append(path.resolve())  # the same file for every process and Ray worker
    return out


def iter_records(paths: Sequence[Path], skip_bad: bool = False,
                 max_chars: int = 0) -> Iterator[Union[Record, BadLine]]:
    """Every document of every input, in order, as :class:`Record`; a line
    that cannot be read, or a document longer than ``max_chars`` characters
    (the pipeline's ``nlp.max_length``; 0: no limit), raises
    :class:`AnnotateInputError`, or with ``skip_bad`` is yielded as
    :class:`BadLine`. Blank lines are not documents."""
    for index, path in enumerate(paths):
        if path.suffix in LINE_FORMATS:
            yield from _line_records(index, path, skip_bad, max_chars=max_chars)
        else:
            yield from _doc_records(index, path, skip_bad, max_chars)


def _check_length(text: str, max_chars: int) -> None:
    if max_chars and len(text) > max_chars:
        raise ValueError(f"{len(text):,} characters, more than the pipeline's max_length ({max_chars:,}); "
                         "--skip-bad skips it")


def _line_records(
    index: int, path: Path, skip_bad: bool, start_byte: int = 0, end_byte: Optional[int] = None, first_line: int = 1,
    max_chars: int = 0,
) -> Iterator[Union[Record, BadLine]]:
    jsonl = path.suffix == ".jsonl"
    offset = start_byte
    with path.open("rb") as handle:
        handle.seek(start_byte)
        for number, raw in enumerate(handle, start=first_line):
            if end_byte is not None and offset >= end_byte:
                break
            start, offset = offset, offset + len(raw)
            try:
                text, meta = _parse(raw, number == 1, jsonl)
                _check_length(text, max_chars)
            except ValueError as err:
                message = f"{path}, line {number}: {err}"
                if not skip_bad:
                    raise AnnotateInputError(message) from None
                yield BadLine(index, number, message)
                continue
            if text.strip():
                yield Record(index, number, start, offset, text, meta)


def read_segment(
    index: int, path: Path, start_byte: int, end_byte: int, first_line: int, skip_bad: bool, max_chars: int = 0
) -> Iterator[Record]:
    """The documents of bytes ``[start_byte, end_byte)`` of a .txt/.jsonl
    input (whole lines, the first numbered ``first_line``), read exactly as
    :func:`iter_records` reads them: a Ray actor reads its shard this way."""
    for item in _line_records(index, path, skip_bad, start_byte, end_byte, first_line, max_chars):
        if isinstance(item, Record):
            yield item


def _parse(raw: bytes, first: bool, jsonl: bool):
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
    _check_int64(record)
    return text, record


_INT64 = (-(2**63), 2**64 - 1)


def _check_int64(value: Any, where: str = "") -> None:
    """Metadata goes into the shards through msgpack, whose integers have
    64 bits: refuse a larger one here, with its field, rather than fail
    while writing a shard."""
    if isinstance(value, bool):
        return
    if isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]:
        raise ValueError(f"field {where or 'value'!r}: the integer {value} does not fit in 64 bits; "
                         "write it as a string")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_int64(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_int64(item, f"{where}[{i}]")


def _doc_records(index: int, path: Path, skip_bad: bool = False,
                 max_chars: int = 0) -> Iterator[Union[Record, BadLine]]:
    if path.suffix == ".conllu":
        from ..convert.conllu import iter_conllu_texts

        texts: Iterator[str] = iter_conllu_texts(path)  # streamed, validated, each sentence's "# text"
    else:
        import spacy
        from spacy.tokens import DocBin

        try:
            docs = DocBin().from_disk(path).get_docs(spacy.blank("xx").vocab)
        except Exception as err:  # zlib/msgpack errors have many types
            raise AnnotateInputError(f"{path}: not a readable .spacy file ({err})") from None
        texts = (doc.text for doc in docs)
    for number, text in enumerate(texts, start=1):
        try:
            _check_length(text, max_chars)
        except ValueError as err:
            what = "sentence" if path.suffix == ".conllu" else "doc"
            message = f"{path}, {what} {number}: {err}"
            if not skip_bad:
                raise AnnotateInputError(message) from None
            yield BadLine(index, number, message)
            continue
        if text.strip():
            yield Record(index, number, None, None, text, {})


def file_identity(path: Path) -> Dict[str, Any]:
    """What must not change between a run and its resumption."""
    stat = path.stat()
    return {"path": str(path), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}
