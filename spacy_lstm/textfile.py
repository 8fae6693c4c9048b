"""Strict decoding of input text files, shared by every reader."""
from pathlib import Path
from typing import Callable, Iterator, Tuple


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


def iter_lines(path: Path, error: Callable[[str], Exception]) -> Iterator[Tuple[int, str]]:
    """(line number, decoded line) of each line of ``path``, streamed.

    A line that cannot be decoded raises ``error("PATH, line N: what is
    wrong")``; the first line's byte order mark is dropped.
    """
    with Path(path).open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = decode_line(raw, first=number == 1)
            except ValueError as err:
                raise error(f"{path}, line {number}: {err}") from None
            yield number, text
