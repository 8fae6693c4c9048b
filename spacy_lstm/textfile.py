"""Strict decoding of one line of an input text file, shared by every reader."""


def decode_line(raw: bytes) -> str:
    """Decode one line as UTF-8; raise ValueError saying what is wrong with it.

    A NUL byte means a binary file; undecodable bytes are reported with their
    value and column. Callers add the file name and line number.
    """
    if b"\x00" in raw:
        raise ValueError("NUL byte found; this looks like a binary file, expected UTF-8 text")
    try:
        return raw.decode("utf8")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"not valid UTF-8 (byte 0x{raw[err.start]:02x} at column {err.start + 1}); expected UTF-8 text"
        ) from None
