"""The one error every reader of input documents raises."""
from pathlib import Path
from typing import Optional, Union


class DocumentError(ValueError):
    """An input document cannot be read: one line naming the file and,
    where there is one, the line (sentence, doc) and what was expected.

    ``DocumentError(path, line, what)`` says ``"PATH, line N: what"``
    (``unit`` names the place: "line", "sentence", "doc"); ``DocumentError(text)``
    takes a message already in that form."""

    def __init__(self, where: Union[str, Path], line: Optional[int] = None, message: Optional[str] = None,
                 unit: str = "line") -> None:
        if message is None:
            super().__init__(str(where))
        else:
            place = f"{where}, {unit} {line}" if line is not None else f"{where}"
            super().__init__(f"{place}: {message}")
        self.path = where if message is not None else None
        self.line = line
