"""CoNLL-U to ``.spacy``, validated line by line before spaCy's converter runs.

Multi-word tokens are merged into one token by spaCy's own CoNLL-U converter
(the surface form becomes the token), as calamanCy's training data is made.
"""
import re
from pathlib import Path
from typing import List, Tuple

from .errors import ConversionError
from .io import blocks, read_lines, write_docbin_atomic

UPOS = {
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART",
    "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X", "_",
}
_COLUMNS = "ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC"
_FEATS = re.compile(r"^(_|[A-Za-z0-9\[\]]+=[A-Za-z0-9,]+(\|[A-Za-z0-9\[\]]+=[A-Za-z0-9,]+)*)$")


def validate_sentence(path: Path, block: List[Tuple[int, str]]) -> None:
    """Raise ConversionError at the first line that breaks CoNLL-U's rules."""
    rows = []
    for number, text in block:
        if text.startswith("#"):
            continue
        cols = text.split("\t")
        if len(cols) != 10:
            raise ConversionError(
                path, number, f"expected 10 tab-separated columns ({_COLUMNS}), found {len(cols)}"
            )
        rows.append((number, cols))
    if not rows:
        raise ConversionError(path, block[-1][0], "comment lines without any token line")
    words = [(number, cols) for number, cols in rows if cols[0].isdigit()]
    for expected_id, (number, cols) in enumerate(words, start=1):
        if int(cols[0]) != expected_id:
            raise ConversionError(path, number, f"expected token ID {expected_id}, found {cols[0]!r}")
    for number, cols in rows:
        token_id = cols[0]
        if not (token_id.isdigit() or re.fullmatch(r"\d+-\d+|\d+\.\d+", token_id)):
            raise ConversionError(
                path, number, f"ID {token_id!r} is not an integer, a range like 3-4 or an empty node like 3.1"
            )
        if not cols[1]:
            raise ConversionError(path, number, "FORM is empty")
        if not token_id.isdigit():
            continue
        if cols[3] not in UPOS:
            raise ConversionError(path, number, f"UPOS {cols[3]!r} is not a Universal POS tag")
        if not _FEATS.match(cols[5]):
            raise ConversionError(path, number, f"FEATS {cols[5]!r} is not '_' or Name=Value|Name=Value")
        head = cols[6]
        if head != "_" and not (head.isdigit() and int(head) <= len(words)):
            raise ConversionError(
                path, number, f"HEAD {head!r} is not 0 or a token ID of this sentence (1..{len(words)})"
            )


def convert_conllu(src: Path, out: Path, n_sents: int = 1) -> int:
    """Validate ``src`` and write its sentences as Docs (``n_sents`` per Doc)."""
    from spacy.training.converters import conllu_to_docs

    src = Path(src)
    lines = read_lines(src)
    sentences = list(blocks(lines))
    for block in sentences:
        validate_sentence(src, block)
    text = "\n\n".join("\n".join(t for _, t in block) for block in sentences) + "\n"
    docs = conllu_to_docs(text, n_sents=n_sents, merge_subtokens=False, no_print=True)
    return write_docbin_atomic(docs, out)
