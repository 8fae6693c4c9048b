"""The documents to annotate, as records with their place in the inputs (read by :mod:`spacy_lstm.documents`)."""
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Union

from ..documents import LINE_FORMATS, BadDocument, DocumentError, document_format, iter_documents

#: The error for an input that cannot be read: the document reader's own.
AnnotateInputError = DocumentError


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
        document_format(path, plain_text_default=False)
        out.append(path.resolve())  # the same file for every process and Ray worker
    return out


def is_line_input(path: Path) -> bool:
    """Whether ``path`` is read line by line with byte offsets (an uncompressed
    .txt or .jsonl), so processes and Ray actors can each read a segment."""
    return path.suffix in LINE_FORMATS


def iter_records(paths: Sequence[Path], skip_bad: bool = False,
                 max_chars: int = 0) -> Iterator[Union[Record, BadLine]]:
    """Every document of every input, in order, as :class:`Record`; a line
    that cannot be read, or a document longer than ``max_chars`` characters
    (the pipeline's ``nlp.max_length``; 0: no limit), raises
    :class:`AnnotateInputError`, or with ``skip_bad`` is yielded as
    :class:`BadLine`. Blank lines are not documents."""
    for index, path in enumerate(paths):
        yield from _records(index, path, skip_bad, iter_documents(path, False, True, max_chars))


def read_segment(
    index: int, path: Path, start_byte: int, end_byte: int, first_line: int, skip_bad: bool, max_chars: int = 0
) -> Iterator[Record]:
    """The documents of bytes ``[start_byte, end_byte)`` of a .txt/.jsonl
    input (whole lines, the first numbered ``first_line``), read exactly as
    :func:`iter_records` reads them: a Ray actor reads its shard this way."""
    documents = iter_documents(path, False, True, max_chars, start_byte, end_byte, first_line)
    for item in _records(index, path, skip_bad, documents):
        if isinstance(item, Record):
            yield item


def _records(index: int, path: Path, skip_bad: bool, documents) -> Iterator[Union[Record, BadLine]]:
    for document in documents:
        error = document.error if isinstance(document, BadDocument) else None
        if error is None:
            try:
                _check_int64(document.meta)
            except ValueError as err:
                error = str(DocumentError(path, document.number, str(err)))
        if error is not None:
            if not skip_bad:
                raise AnnotateInputError(error)
            yield BadLine(index, document.number, error)
            continue
        yield Record(index, document.number, document.start, document.end, document.text, document.meta)


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


def file_identity(path: Path) -> Dict[str, Any]:
    """What must not change between a run and its resumption."""
    stat = path.stat()
    return {"path": str(path), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}
