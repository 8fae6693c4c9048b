"""The error converters raise: one line naming file, line and what was expected."""
from pathlib import Path
from typing import Optional


class ConversionError(ValueError):
    def __init__(self, path: Path, line: Optional[int], message: str) -> None:
        where = f"{path}, line {line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
