"""Reading text input strictly and writing DocBins atomically."""
from pathlib import Path
from typing import Iterable, List, Tuple

from spacy.tokens import Doc, DocBin

from ..safe_output import atomic_file, check_file_target
from ..documents.lines import decode_line
from .errors import ConversionError


def read_lines(path: Path) -> List[Tuple[int, str]]:
    """(line number, text) of every line; rejects missing, binary, non-UTF-8, empty files."""
    path = Path(path)
    if not path.is_file():
        raise ConversionError(path, None, "no such file")
    data = path.read_bytes()
    lines: List[Tuple[int, str]] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append((number, decode_line(raw, first=number == 1).rstrip("\r")))
        except ValueError as err:
            raise ConversionError(path, number, str(err)) from None
    if not any(text.strip() for _, text in lines):
        raise ConversionError(path, None, "file is empty; expected at least one record")
    return lines


def write_docbin_atomic(docs: Iterable[Doc], out: Path) -> int:
    """Write docs to ``out`` via a temporary file and a rename; returns the count.

    The target is checked before the docs are consumed (a directory, or a
    parent that is a file, is refused with nothing written).
    """
    check_file_target(out)
    docbin = DocBin(store_user_data=False)
    count = 0
    for doc in docs:
        docbin.add(doc)
        count += 1
    with atomic_file(out) as tmp:
        docbin.to_disk(tmp)
    return count
