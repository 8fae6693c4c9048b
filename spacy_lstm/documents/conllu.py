"""CoNLL-U's rules, checked line by line, and its sentences streamed as text.

Low in the tree: the document reader (:mod:`spacy_lstm.documents`) streams a
.conllu input's texts through :func:`iter_conllu_texts`, and the converter
(:mod:`spacy_lstm.convert.conllu`) validates with :func:`validate_sentence`
before spaCy's own converter builds the Docs.
"""
import re
from pathlib import Path
from typing import Iterator, List, Tuple

from .errors import DocumentError
from .lines import blocks, iter_lines

UPOS = {
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART",
    "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X", "_",
}
_COLUMNS = "ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC"
_FEATS = re.compile(r"^(_|[A-Za-z0-9\[\]]+=[A-Za-z0-9,]+(\|[A-Za-z0-9\[\]]+=[A-Za-z0-9,]+)*)$")


_INT = re.compile(r"[0-9]+")
_ID = re.compile(r"[0-9]+|[0-9]+-[0-9]+|[0-9]+\.[0-9]+")


def validate_sentence(path: Path, block: List[Tuple[int, str]]) -> None:
    """Raise DocumentError at the first line that breaks CoNLL-U's rules.

    Checks the columns, the IDs (ASCII digits, 1..n in order, multi-word
    ranges within the sentence), UPOS, FEATS, and that HEAD makes a tree:
    every HEAD is 0 or a word of the sentence other than the word itself,
    exactly one word has HEAD 0 and following heads never loops.
    """
    rows = []
    for number, text in block:
        if text.startswith("#"):
            continue
        cols = text.split("\t")
        if len(cols) != 10:
            raise DocumentError(
                path, number, f"expected 10 tab-separated columns ({_COLUMNS}), found {len(cols)}"
            )
        if not _ID.fullmatch(cols[0]):
            raise DocumentError(
                path, number, f"ID {cols[0]!r} is not an integer, a range like 3-4 or an empty node like 3.1"
            )
        rows.append((number, cols))
    if not rows:
        raise DocumentError(path, block[-1][0], "comment lines without any token line")
    words = [(number, cols) for number, cols in rows if _INT.fullmatch(cols[0])]
    for expected_id, (number, cols) in enumerate(words, start=1):
        if int(cols[0]) != expected_id:
            raise DocumentError(path, number, f"expected token ID {expected_id}, found {cols[0]!r}")
    n_words = len(words)
    for number, cols in rows:
        token_id = cols[0]
        if not cols[1]:
            raise DocumentError(path, number, "FORM is empty")
        if "-" in token_id:
            first, last = (int(part) for part in token_id.split("-"))
            if not 1 <= first < last <= n_words:
                raise DocumentError(
                    path, number, f"multi-word range {token_id} is not within this sentence's words 1..{n_words}"
                )
            continue
        if not _INT.fullmatch(token_id):
            continue
        if cols[3] not in UPOS:
            raise DocumentError(path, number, f"UPOS {cols[3]!r} is not a Universal POS tag")
        if not _FEATS.match(cols[5]):
            raise DocumentError(path, number, f"FEATS {cols[5]!r} is not '_' or Name=Value|Name=Value")
        head = cols[6]
        if head != "_" and not (_INT.fullmatch(head) and int(head) <= n_words):
            raise DocumentError(
                path, number, f"HEAD {head!r} is not 0 or a token ID of this sentence (1..{n_words})"
            )
        if head == token_id:
            raise DocumentError(path, number, f"HEAD {head} is the token's own ID; expected another word or 0")
    _check_tree(path, words)


def _check_tree(path: Path, words: List[Tuple[int, List[str]]]) -> None:
    """One root and no cycles (skipped when some HEAD is unknown, ``_``)."""
    if any(cols[6] == "_" for _, cols in words):
        return
    heads = [int(cols[6]) for _, cols in words]
    roots = [i for i, head in enumerate(heads) if head == 0]
    if len(roots) > 1:
        first_line = words[roots[0]][0]
        raise DocumentError(
            path, words[roots[1]][0], f"a second root (HEAD 0; the first is on line {first_line}); expected one root"
        )
    state = [0] * len(heads)  # 0 unseen, 1 on the current path, 2 reaches the root
    for start in range(len(heads)):
        path_ids = []
        node = start
        while node >= 0 and state[node] == 0:
            state[node] = 1
            path_ids.append(node)
            node = heads[node] - 1
        if node >= 0 and state[node] == 1:
            loop = path_ids[path_ids.index(node):] + [node]
            chain = " -> ".join(str(i + 1) for i in loop)
            raise DocumentError(
                path, words[node][0], f"HEAD chain {chain} is a cycle; expected a tree rooted at HEAD 0"
            )
        for i in path_ids:
            state[i] = 2
    if not roots:
        raise DocumentError(path, words[0][0], "no word has HEAD 0; expected one root")


def iter_conllu_texts(src: Path) -> Iterator[str]:
    """Stream the text of each sentence of ``src``, validated as
    :func:`read_conllu_docs` validates it, without building Docs (for corpora
    too large to hold, such as vector training input): its ``# text =``
    comment, else its surface forms (a multi-word token's, not its words')
    joined by spaces."""
    src = Path(src)
    if not src.is_file():
        raise DocumentError(src, None, "no such file")
    for block in blocks(iter_lines(src, DocumentError)):
        validate_sentence(src, block)
        text, forms, skip_to = None, [], 0
        for _, line in block:
            if line.startswith("#"):
                key, _, value = line[1:].partition("=")
                if key.strip() == "text":
                    text = value.strip()
                continue
            cols = line.split("\t")
            if "-" in cols[0]:
                forms.append(cols[1])
                skip_to = int(cols[0].split("-")[1])
            elif cols[0].isdigit() and int(cols[0]) > skip_to:
                forms.append(cols[1])
        yield text if text is not None else " ".join(forms)
