"""IOB/IOB2 NER to ``.spacy``: one token and tag per line, blank lines between sentences.

Two layouts, detected from the file's first token line:

* plain: ``TOKEN<TAB>TAG`` (or ``TOKEN TAG``);
* Universal NER (CoNLL-U-like, the ``.iob2`` files of UniversalNER): ``#``
  comment lines (``# sent_id``, ``# text``) and tab-separated
  ``ID<TAB>TOKEN<TAB>TAG[<TAB>...]`` with IDs 1..n in each sentence; columns
  after the tag are ignored.

Tags are ``O``, ``B-LABEL`` or ``I-LABEL``. With ``scheme="iob2"`` (the default) every entity starts with
``B-``; an ``I-`` tag that does not continue an entity of the same label is
an error. ``scheme="iob1"`` accepts such an ``I-`` as a start.
"""
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from .errors import ConversionError
from ..documents.lines import blocks
from .io import read_lines, write_docbin_atomic


def _parse_tag(path: Path, number: int, tag: str, labels: Optional[Sequence[str]]):
    if tag == "O":
        return "O", None
    if len(tag) > 2 and tag[:2] in ("B-", "I-"):
        label = tag[2:]
        if labels is not None and label not in labels:
            raise ConversionError(path, number, f"label {label!r} not in the allowed labels {list(labels)}")
        return tag[0], label
    raise ConversionError(path, number, f"tag {tag!r} is not O, B-LABEL or I-LABEL")


def detect_layout(lines: Sequence[Tuple[int, str]]) -> str:
    """``"uner"`` when the first line that is not blank or a ``#`` comment has
    3 or more tab-separated columns and an integer first column, else ``"plain"``."""
    for _, text in lines:
        if not text.strip() or text.startswith("#"):
            continue
        cols = text.split("\t")
        return "uner" if len(cols) >= 3 and cols[0].isascii() and cols[0].isdigit() else "plain"
    return "plain"


def _token_and_tag(path: Path, number: int, text: str, layout: str, expected_id: int) -> Tuple[str, str]:
    if layout == "uner":
        cols = text.split("\t")
        if len(cols) < 3:
            raise ConversionError(
                path, number, f"expected 'ID<TAB>TOKEN<TAB>TAG' (3 or more columns, Universal NER), found {len(cols)}"
            )
        if cols[0] != str(expected_id):
            raise ConversionError(path, number, f"expected token ID {expected_id}, found {cols[0]!r}")
        if not cols[1] or not cols[2]:
            raise ConversionError(path, number, "empty TOKEN or TAG column")
        return cols[1], cols[2]
    parts = text.split("\t") if "\t" in text else text.split(" ")
    parts = [p for p in parts if p != ""]
    if len(parts) != 2:
        raise ConversionError(path, number, f"expected 'TOKEN<TAB>TAG' (2 columns), found {len(parts)}")
    return parts[0], parts[1]


def read_iob(path: Path, scheme: str = "iob2", labels: Optional[Sequence[str]] = None) -> Iterator[Doc]:
    if scheme not in ("iob1", "iob2"):
        raise ValueError(f"scheme must be 'iob1' or 'iob2', got {scheme!r}")
    path = Path(path)
    vocab = Vocab()
    lines = read_lines(path)
    layout = detect_layout(lines)
    if layout == "uner":
        lines = [(number, "" if text.startswith("#") else text) for number, text in lines]
    for block in blocks(lines):
        words: List[str] = []
        spans = []
        current = None  # [start, label]
        for number, text in block:
            token, tag = _token_and_tag(path, number, text, layout, len(words) + 1)
            prefix, label = _parse_tag(path, number, tag, labels)
            i = len(words)
            words.append(token)
            continues = prefix == "I" and current is not None and current[1] == label
            if prefix == "I" and not continues and scheme == "iob2":
                what = "after O" if current is None else f"after an entity of type {current[1]}"
                raise ConversionError(
                    path, number, f"I-{label} {what}: an entity must start with B-{label} (IOB2)"
                )
            if current is not None and not continues:
                spans.append((current[0], i, current[1]))
                current = None
            if prefix == "B" or (prefix == "I" and not continues):
                current = [i, label]
        if current is not None:
            spans.append((current[0], len(words), current[1]))
        doc = Doc(vocab, words=words)
        doc.ents = [Span(doc, s, e, label=l) for s, e, l in spans]
        yield doc


def convert_ner(src: Path, out: Path, scheme: str = "iob2", labels: Optional[Sequence[str]] = None) -> int:
    """Validate and convert ``src``; nothing is written unless every line is valid."""
    docs = list(read_iob(src, scheme, labels))
    return write_docbin_atomic(docs, out)
