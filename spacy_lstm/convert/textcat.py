"""CSV/TSV text classification to ``.spacy`` (``doc.cats`` with every label).

Bare carriage returns inside fields (as in Hate Speech Filipino) are
normalised first: ``\\r\\n`` becomes ``\\n`` and a lone ``\\r`` a space.
"""
import csv
import io
from pathlib import Path
from typing import List, Optional

import spacy

from .errors import ConversionError
from .io import read_lines, write_docbin_atomic


def convert_textcat(
    src: Path,
    out: Path,
    text_column: str = "text",
    label_column: str = "label",
    lang: str = "tl",
    delimiter: Optional[str] = None,
    labels: Optional[List[str]] = None,
) -> int:
    """Write one Doc per row with ``cats`` = 1.0 for its label, 0.0 for the rest.

    delimiter: None picks tab for ``.tsv`` files and comma otherwise.
    labels: the full label set (None: the labels seen in this file, sorted).
    """
    src = Path(src)
    lines = read_lines(src)
    text = "\n".join(t for _, t in lines).replace("\r", " ")
    delim = delimiter or ("\t" if src.suffix == ".tsv" else ",")
    # csv's default field limit is 128 KiB; long documents are legitimate.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        header = next(reader)
    except StopIteration:
        raise ConversionError(src, 1, "missing header row") from None
    for column in (text_column, label_column):
        if column not in header:
            raise ConversionError(
                src, 1, f"no column {column!r} in the header; found {header}"
            )
    ti, li = header.index(text_column), header.index(label_column)
    rows = []
    end = reader.line_num
    for row in reader:
        # a record starts on the line after the previous one ended (quoted
        # fields may span lines): errors name the line where it starts
        number, end = end + 1, reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            spans = f" (a quoted field opens here and runs to line {end}: an unterminated quote?)" if end > number else ""
            raise ConversionError(src, number,
                                  f"expected {len(header)} fields like the header, found {len(row)}{spans}")
        if not row[ti].strip():
            raise ConversionError(src, number, f"empty {text_column!r} field")
        if not row[li].strip():
            raise ConversionError(src, number, f"empty {label_column!r} field")
        rows.append((number, row[ti].strip(), row[li].strip()))
    if not rows:
        raise ConversionError(src, None, "no data rows after the header")
    label_set = list(labels) if labels else sorted({label for _, _, label in rows})
    for number, _, label in rows:
        if label not in label_set:
            raise ConversionError(src, number, f"label {label!r} is not one of {label_set}")
    nlp = spacy.blank(lang)

    def docs():
        for _, content, label in rows:
            doc = nlp.make_doc(content)
            doc.cats = {name: float(name == label) for name in label_set}
            yield doc

    return write_docbin_atomic(docs(), out)
