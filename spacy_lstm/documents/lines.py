"""Strict decoding of input text files (plain or gzip), shared by every reader."""
import gzip
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, List, Tuple


BOM = b"\xef\xbb\xbf"


def decode_line(raw: bytes, first: bool = False) -> str:
    """Decode one line as UTF-8; raise ValueError saying what is wrong with it.

    A NUL byte means a binary file; undecodable bytes are reported with their
    value and column. Callers add the file name and line number. ``first``:
    this is a file's first line, whose UTF-8 byte order mark (written by
    Excel's "CSV UTF-8" and by Notepad) is dropped.
    """
    if first and raw.startswith(BOM):
        raw = raw[len(BOM):]
    if b"\x00" in raw:
        raise ValueError("NUL byte found; this looks like a binary file, expected UTF-8 text")
    try:
        return raw.decode("utf8")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"not valid UTF-8 (byte 0x{raw[err.start]:02x} at column {err.start + 1}); expected UTF-8 text"
        ) from None


def open_binary(path: Path) -> BinaryIO:
    """``path`` opened for reading bytes, decompressed as it streams when
    its name ends in ``.gz``."""
    path = Path(path)
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")  # type: ignore[return-value]


def iter_lines(path: Path, error: Callable[[str], Exception]) -> Iterator[Tuple[int, str]]:
    """(line number, decoded line) of each line of ``path``, streamed.

    A line that cannot be decoded raises ``error("PATH, line N: what is
    wrong")``; the first line's byte order mark is dropped.
    """
    with open_binary(path) as handle:
        for number, raw in raw_lines(handle, path, error):
            try:
                text = decode_line(raw, first=number == 1)
            except ValueError as err:
                raise error(f"{path}, line {number}: {err}") from None
            yield number, text


def raw_lines(handle: BinaryIO, path: Path, error: Callable[[str], Exception],
              first_line: int = 1) -> Iterator[Tuple[int, bytes]]:
    """(line number, raw line) of an open file, numbered from ``first_line``;
    a damaged gzip stream raises ``error``, naming the file and line."""
    number = first_line - 1
    try:
        for number, raw in enumerate(handle, start=first_line):
            yield number, raw
    except (OSError, EOFError) as err:  # gzip: bad header, CRC, truncated stream
        raise error(f"{path}, line {number + 1}: cannot decompress ({err}); expected a complete gzip file") from None


def blocks(lines: Iterable[Tuple[int, str]]) -> Iterator[List[Tuple[int, str]]]:
    """Groups of consecutive non-blank lines (sentences in CoNLL-U and IOB files)."""
    block: List[Tuple[int, str]] = []
    for number, text in lines:
        if text.strip():
            block.append((number, text))
        elif block:
            yield block
            block = []
    if block:
        yield block
