"""IOB/IOB2 NER to ``.spacy``: one token and tag per line, blank lines between sentences.

Lines are ``TOKEN<TAB>TAG`` (or ``TOKEN TAG``). Tags are ``O``, ``B-LABEL`` or
``I-LABEL``. With ``scheme="iob2"`` (the default) every entity starts with
``B-``; an ``I-`` tag that does not continue an entity of the same label is
an error. ``scheme="iob1"`` accepts such an ``I-`` as a start.
"""
from pathlib import Path
from typing import Iterator, List, Optional, Sequence

from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from .errors import ConversionError
from .io import blocks, read_lines, write_docbin_atomic


def _parse_tag(path: Path, number: int, tag: str, labels: Optional[Sequence[str]]):
    if tag == "O":
        return "O", None
    if len(tag) > 2 and tag[:2] in ("B-", "I-"):
        label = tag[2:]
        if labels is not None and label not in labels:
            raise ConversionError(path, number, f"label {label!r} not in the allowed labels {list(labels)}")
        return tag[0], label
    raise ConversionError(path, number, f"tag {tag!r} is not O, B-LABEL or I-LABEL")


def read_iob(path: Path, scheme: str = "iob2", labels: Optional[Sequence[str]] = None) -> Iterator[Doc]:
    if scheme not in ("iob1", "iob2"):
        raise ValueError(f"scheme must be 'iob1' or 'iob2', got {scheme!r}")
    path = Path(path)
    vocab = Vocab()
    for block in blocks(read_lines(path)):
        words: List[str] = []
        spans = []
        current = None  # [start, label]
        for number, text in block:
            parts = text.split("\t") if "\t" in text else text.split(" ")
            parts = [p for p in parts if p != ""]
            if len(parts) != 2:
                raise ConversionError(
                    path, number, f"expected 'TOKEN<TAB>TAG' (2 columns), found {len(parts)}"
                )
            token, tag = parts
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
