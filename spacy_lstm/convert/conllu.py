"""CoNLL-U to ``.spacy``, validated line by line before spaCy's converter runs.

Multi-word tokens are merged into one token by spaCy's own CoNLL-U converter
(the surface form becomes the token), as calamanCy's training data is made;
``merge_subtokens=False`` keeps the syntactic words instead.
"""
from pathlib import Path
from typing import List

from spacy.tokens import Doc

from ..documents.conllu import validate_sentence
from ..documents.lines import blocks
from .io import read_lines, write_docbin_atomic


def read_conllu_docs(src: Path, n_sents: int = 1, merge_subtokens: bool = True) -> List[Doc]:
    """Validate ``src`` and return its sentences as Docs (``n_sents`` per Doc).

    The one CoNLL-U reader of the package (the converter, the benchmarks and
    the tests use it). merge_subtokens: a multi-word token (``4-5 itong``
    over ``ito`` and ``-ng``) becomes one token with its surface form, as
    spaCy's converter merges it (``spacy convert --merge-subtokens``,
    calamanCy's recipe); False keeps the syntactic words as tokens.
    """
    from spacy.training.converters import conllu_to_docs

    src = Path(src)
    lines = read_lines(src)
    sentences = list(blocks(lines))
    for block in sentences:
        validate_sentence(src, block)
    text = "\n\n".join("\n".join(t for _, t in block) for block in sentences) + "\n"
    return list(conllu_to_docs(text, n_sents=n_sents, merge_subtokens=merge_subtokens, no_print=True))


def convert_conllu(src: Path, out: Path, n_sents: int = 1, merge_subtokens: bool = True) -> int:
    """Validate ``src`` and write its sentences as Docs (see :func:`read_conllu_docs`)."""
    return write_docbin_atomic(read_conllu_docs(src, n_sents, merge_subtokens), out)
