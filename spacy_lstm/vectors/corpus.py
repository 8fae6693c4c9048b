"""Streaming the training text: read, validate, tokenise and encode as ids.

Inputs are plain text (one sentence or document per line), spaCy ``.spacy``
DocBins and CoNLL-U files (their ``# text =`` lines). One pass tokenises the
whole corpus and writes provisional int32 ids to a stream file on disk, with
-1 after each line/document, so memory grows with the vocabulary, not with the
corpus. Bad input stops with a one-line :class:`VectorsInputError` naming the
file (and line, where there is one).
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Sequence

import numpy

from ..textfile import iter_lines
from .errors import VectorsInputError

SENTENCE_END = -1
_BATCH_LINES = 2000


def _text_lines(path: Path) -> Iterator[str]:
    """Yield decoded lines, checking for binary content and bad UTF-8."""
    for _, text in iter_lines(path, VectorsInputError):
        yield text


def _conllu_texts(path: Path) -> Iterator[str]:
    """One text per sentence, streamed and validated by the package's CoNLL-U reader."""
    from ..convert.conllu import iter_conllu_texts

    return iter_conllu_texts(path)


def _docbin_tokens(path: Path) -> Iterator[List[str]]:
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    try:
        docbin = DocBin().from_disk(path)
    except Exception as err:  # msgpack/zlib errors have many types
        raise VectorsInputError(
            f"{path}: not a readable spaCy DocBin ({type(err).__name__}); "
            "expected a .spacy file written by DocBin.to_disk"
        ) from None
    for doc in docbin.get_docs(Vocab()):
        yield [t.text for t in doc if not t.is_space]


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
    """Tokens of every line/sentence/document of every input, in order."""
    for path in paths:
        if path.suffix == ".spacy":
            yield from _docbin_tokens(path)
            continue
        texts = _conllu_texts(path) if path.suffix == ".conllu" else _text_lines(path)
        batch: List[str] = []
        for text in texts:
            batch.append(text.strip())
            if len(batch) >= _BATCH_LINES:
                yield from tokenize(batch)
                batch = []
        if batch:
            yield from tokenize(batch)


def check_paths(paths: Sequence[Path]) -> None:
    if not paths:
        raise VectorsInputError("no input files given")
    for path in paths:
        if not path.exists():
            raise VectorsInputError(f"{path}: no such file")
        if path.is_dir():
            raise VectorsInputError(f"{path}: is a directory, expected a file")


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
