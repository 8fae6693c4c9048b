"""``spacy_lstm.RawText.v1``: raw text for ``spacy pretrain``, in the formats users have.

A corpus reader for ``[corpora.pretrain]``, reading through the package's
one document reader (:mod:`spacy_lstm.documents`): plain text (``.txt`` or
any other suffix: one document per line), JSONL (``.jsonl``: one object per
line with a ``"text"`` string, as spaCy's ``JsonlCorpus`` reads), CoNLL-U
(``.conllu``: one document per sentence) or a spaCy ``DocBin`` (``.spacy``:
the text of each doc, annotations ignored), so a pipeline's own training
corpus can adapt the language model to its domain; ``.txt``, ``.jsonl`` and
``.conllu`` may be gzipped (``.gz``). A binary file, bad UTF-8, invalid JSON
or a file that is not a DocBin stops with one line naming the file (and
line); a leading byte order mark is dropped. Docs shorter than
``min_length`` tokens or longer than ``max_length`` are skipped, as spaCy's
reader does.
"""
from pathlib import Path
from typing import Callable, Iterator, Optional, Union

from spacy.language import Language
from spacy.training import Example
from spacy.util import registry

from ..documents import DocumentError, document_format, iter_documents
from .progress import TextProgress, follow
from .restart import begin_pass
from .stop import settings_checked

#: The error for raw text that cannot be read: the document reader's own.
RawTextError = DocumentError


def iter_texts(path: Union[str, Path]) -> Iterator[str]:
    """The documents of ``path``: one per non-blank line (``.jsonl``: its
    ``text``; ``.conllu``: one per sentence; ``.spacy``: one per doc). A
    plain-text line is stripped of surrounding whitespace."""
    plain = document_format(path) == ".txt"
    for document in iter_documents(path):
        yield document.text.strip() if plain else document.text  # type: ignore[union-attr]


def check_raw_text(path: Union[str, Path], min_words: int = 1, max_words: int = 0) -> int:
    """Read ``path`` through (up to ``max_words`` words; 0 = all) as the
    reader will; returns its whitespace-separated words. Raises
    :class:`RawTextError` (file and line) on a line that cannot be read, and
    when there are fewer than ``min_words`` words."""
    words = 0
    for text in iter_texts(path):
        words += len(text.split())
        if max_words and words >= max_words:
            break
    if words < max(min_words, 1):
        have = "no text" if not words else f"{words} words"
        raise RawTextError(f"{path}: {have}; pretraining needs at least {max(min_words, 1)} words of raw text")
    return words


@registry.readers("spacy_lstm.RawText.v1")
def create_raw_text_reader(
    path: Optional[Path], min_length: int = 0, max_length: int = 0, limit: int = 0, max_words: int = 0,
    min_words: int = 1,
) -> Callable[[Language], Iterator[Example]]:
    """Read raw text for pretraining (checked first: see the end).

    path (Path): A ``.txt`` file (one document per line), a ``.jsonl``, a
        ``.conllu`` or a ``.spacy`` DocBin (e.g. a task's training corpus, to
        adapt the model to it); the first three may be gzipped (``.gz``).
    min_length (int): Skip docs with fewer tokens (0: no minimum).
    max_length (int): Skip docs with more tokens (0: no maximum).
    limit (int): Stop after this many docs (0: no limit).
    max_words (int): A budget: stop before the first doc that would take
        the tokens read past this many (0: no budget). The file is streamed,
        so a large corpus costs what the budget says, in time and memory:
        pretraining time is about linear in it (docs/benchmarks.md gives
        minutes per million words).
    min_words (int): Refuse, before training starts, a text with fewer
        whitespace-separated words than this (within ``max_words``): an
        empty or nearly empty corpus would train nothing, yet ``spacy
        pretrain`` would write weights. 1 (default) refuses only an empty one.

    The file is checked when the reader is made, before spaCy's loop starts
    (streamed, up to ``max_words``): a line that cannot be read, or too few
    words, stops with one line naming the file (and line), and no weights
    are written.
    """
    if max_words < 0 or limit < 0 or min_words < 0:
        raise ValueError(f"spacy_lstm.RawText.v1: limit, max_words and min_words must be >= 0; got {limit}, "
                         f"{max_words} and {min_words}")
    expected_words = 0
    if path is not None:
        with settings_checked():  # a RawTextError is a ValueError: one line under spacy pretrain
            expected_words = check_raw_text(path, min_words, max_words)
    progress = TextProgress(expected_words)

    def read(nlp: Language) -> Iterator[Example]:
        if path is None:  # allowed in configs that only train; pretraining needs it
            raise RawTextError("spacy_lstm.RawText.v1: no path; set [paths] raw_text (or --paths.raw_text)")
        count = words = 0
        begin_pass(nlp.vocab)  # an epoch starts: PretrainBiLM's restart_epochs counts these
        follow(progress)  # ... and warmup_linear_over_text reads how far it is
        progress.begin_pass()
        for doc in nlp.tokenizer.pipe(iter_texts(path), batch_size=256):
            progress.read(len(doc.text.split()))
            if (min_length and len(doc) < min_length) or (max_length and len(doc) > max_length):
                continue
            words += len(doc)
            if max_words and words > max_words:
                break
            yield Example(doc, doc)
            count += 1
            if limit and count >= limit:
                break

    return read
