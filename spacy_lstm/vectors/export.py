"""Writing trained vectors: the interchange text file and a spaCy directory.

The directory is what ``spacy init vectors`` makes (built with spaCy's own
``convert_vectors`` from the text file), so ``[initialize] vectors = "DIR"``
accepts it. The caller writes it into a temporary sibling directory
(:func:`spacy_lstm.safe_output.atomic_directory`) renamed into place at the
end: an interrupted run never leaves an output that looks complete.
"""
import json
from pathlib import Path
from typing import List

import numpy

from .floret_hash import BOW, EOW, FLORET_SEED

VEC_NAME = "vectors.vec"
FLORET_NAME = "vectors.floret"
INFO_NAME = "training.json"
#: Both present: a directory written by train-vectors (which --overwrite may replace).
MARKER = ("config.cfg", INFO_NAME)
#: Everything train-vectors writes into its output directory.
WRITTEN = ("config.cfg", "meta.json", "tokenizer", "vocab", INFO_NAME, VEC_NAME, FLORET_NAME)


def _write_rows(handle, labels: List[str], table: numpy.ndarray) -> None:
    fmt = " ".join(["%.6g"] * table.shape[1])
    for label, row in zip(labels, table):
        handle.write(label + " " + (fmt % tuple(row.tolist())) + "\n")


def write_vec(path: Path, words: List[str], table: numpy.ndarray) -> None:
    """word2vec/fastText ``.vec`` text: header ``rows dim``, then ``word v1 .. vd``."""
    with path.open("w", encoding="utf8") as handle:
        handle.write(f"{table.shape[0]} {table.shape[1]}\n")
        _write_rows(handle, words, table)


def write_floret(
    path: Path, table: numpy.ndarray, minn: int, maxn: int, hash_count: int, seed: int = FLORET_SEED
) -> None:
    """floret ``.floret`` text: ``bucket dim minn maxn hash_count seed < >`` then rows."""
    with path.open("w", encoding="utf8") as handle:
        handle.write(
            f"{table.shape[0]} {table.shape[1]} {minn} {maxn} {hash_count} {seed} {BOW} {EOW}\n"
        )
        _write_rows(handle, [str(i) for i in range(table.shape[0])], table)


def write_spacy_dir(text_path: Path, out_dir: Path, lang: str, mode: str, name: str) -> None:
    """Convert the text file into a spaCy pipeline directory holding the vectors."""
    import spacy
    from spacy.training.initialize import convert_vectors

    nlp = spacy.blank(lang)
    convert_vectors(nlp, text_path, truncate=0, prune=-1, mode=mode, name=name)
    nlp.to_disk(out_dir)


def write_info(out_dir: Path, info: dict) -> None:
    with (out_dir / INFO_NAME).open("w", encoding="utf8") as handle:
        json.dump(info, handle, indent=2, sort_keys=True)
