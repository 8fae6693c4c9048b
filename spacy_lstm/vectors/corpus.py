"""Streaming the training text: read, validate, tokenise and encode as ids.

Inputs are every format of :mod:`spacy_lstm.documents`: plain text (one
sentence or document per line), JSONL (``{"text": ...}`` per line), CoNLL-U
(one text per sentence) and spaCy ``.spacy`` DocBins (their docs' tokens),
plain or gzipped. One pass tokenises the
whole corpus and writes provisional int32 ids to a stream file on disk, with
-1 after each line/document, so memory grows with the vocabulary, not with the
corpus. Bad input stops with a one-line ``DocumentError`` naming the file
(and line, where there is one).
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Sequence

import numpy

from ..documents import check_document_file, iter_documents
from .errors import VectorsInputError

SENTENCE_END = -1
_BATCH_LINES = 2000


def make_tokenizer(kind: str, lang: str = "tl") -> Callable[[Sequence[str]], Iterable[List[str]]]:
    """A batch tokeniser: ``"spacy"`` (spaCy's rules for ``lang``) or ``"whitespace"``."""
    if kind == "whitespace":
        return lambda texts: (text.split() for text in texts)
    if kind == "spacy":
        import spacy

        tokenizer = spacy.blank(lang).tokenizer

        def tokenize(texts: Sequence[str]) -> Iterable[List[str]]:
            for doc in tokenizer.pipe(texts, batch_size=1000):
                yield [t.text for t in doc if not t.is_space]

        return tokenize
    raise ValueError(f"unknown tokenizer {kind!r}; expected 'spacy' or 'whitespace'")


def iter_token_lists(
    paths: Sequence[Path], tokenize: Callable[[Sequence[str]], Iterable[List[str]]]
) -> Iterator[List[str]]:
    """Tokens of every document of every input, in order (read by
    :mod:`spacy_lstm.documents`): a .spacy doc keeps its own tokens, every
    other document is stripped and tokenised in batches."""
    for path in paths:
        batch: List[str] = []
        for document in iter_documents(path):
            if document.words is not None:  # type: ignore[union-attr]
                yield from tokenize(batch) if batch else ()
                batch = []
                yield document.words  # type: ignore[union-attr]
                continue
            batch.append(document.text.strip())  # type: ignore[union-attr]
            if len(batch) >= _BATCH_LINES:
                yield from tokenize(batch)
                batch = []
        if batch:
            yield from tokenize(batch)


def check_paths(paths: Sequence[Path]) -> None:
    if not paths:
        raise VectorsInputError("no input files given")
    for path in paths:
        check_document_file(path)


@dataclass
class EncodedCorpus:
    """The corpus as provisional ids on disk plus each provisional word's count."""

    stream_path: Path
    words: List[str]
    counts: numpy.ndarray
    n_tokens: int
    n_lines: int

    def stream(self) -> numpy.ndarray:
        if self.n_tokens + self.n_lines == 0:
            return numpy.zeros((0,), dtype="int32")
        return numpy.memmap(self.stream_path, dtype="int32", mode="r")


def encode_corpus(
    paths: Sequence[Path],
    stream_path: Path,
    tokenize: Callable[[Sequence[str]], Iterable[List[str]]],
    lowercase: bool = False,
    progress: bool = False,
) -> EncodedCorpus:
    """Tokenise all inputs once, writing provisional ids to ``stream_path``."""
    from ..progress import progress_bar

    check_paths(paths)
    index: Dict[str, int] = {}
    counts: List[int] = []
    buffer: List[int] = []
    n_tokens = n_lines = 0
    with stream_path.open("wb") as out, progress_bar(
        desc="Reading corpus", unit="tok", disable=not progress, unit_scale=True
    ) as bar:
        for tokens in iter_token_lists(paths, tokenize):
            if not tokens:
                continue
            for token in tokens:
                if lowercase:
                    token = token.lower()
                wid = index.get(token)
                if wid is None:
                    wid = index[token] = len(counts)
                    counts.append(0)
                counts[wid] += 1
                buffer.append(wid)
            buffer.append(SENTENCE_END)
            n_tokens += len(tokens)
            n_lines += 1
            if len(buffer) >= 1 << 20:
                out.write(numpy.asarray(buffer, dtype="int32").tobytes())
                bar.update(len(buffer))
                buffer = []
        out.write(numpy.asarray(buffer, dtype="int32").tobytes())
        bar.update(len(buffer))
    if n_tokens == 0:
        names = ", ".join(str(p) for p in paths)
        raise VectorsInputError(f"{names}: no tokens found; expected non-empty text")
    return EncodedCorpus(
        stream_path=stream_path,
        words=list(index),
        counts=numpy.asarray(counts, dtype="int64"),
        n_tokens=n_tokens,
        n_lines=n_lines,
    )
