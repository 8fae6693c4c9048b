"""``spacy_lstm.RawText.v1``: raw text for ``spacy pretrain``, in the formats users have.

A corpus reader for ``[corpora.pretrain]``: plain text (``.txt`` or any
other suffix: one document per line), JSONL (``.jsonl``: one object per
line with a ``"text"`` string, as spaCy's ``JsonlCorpus`` reads) or a spaCy
``DocBin`` (``.spacy``: the text of each doc, annotations ignored), so a
pipeline's own training corpus can adapt the language model to its domain.
Every line goes through the package's strict decoder, so a binary file, bad
UTF-8 or invalid JSON stops with one line naming the file and line; a leading
byte order mark is dropped; a ``.spacy`` file that is not a DocBin stops with
one line naming the file. Docs shorter than ``min_length`` tokens or longer than
``max_length`` are skipped, as spaCy's reader does.
"""
import json
from pathlib import Path
from typing import Callable, Iterator, Optional, Union

from spacy.language import Language
from spacy.tokens import DocBin
from spacy.training import Example
from spacy.util import registry
from spacy.vocab import Vocab

from ..textfile import iter_lines


class RawTextError(ValueError):
    """A line of a raw-text file cannot be read; the message names file and line."""


def iter_texts(path: Union[str, Path]) -> Iterator[str]:
    """The documents of ``path``: one per non-blank line (``.jsonl``: its ``text``; ``.spacy``: one per doc)."""
    path = Path(path)
    if not path.is_file():
        raise RawTextError(f"{path}: no such file; expected plain text (one document per line), .jsonl or .spacy")
    if path.suffix == ".spacy":
        yield from _docbin_texts(path)
        return
    is_jsonl = path.suffix == ".jsonl"
    for number, line in iter_lines(path, RawTextError):
        if not line.strip():
            continue
        if not is_jsonl:
            yield line.strip()
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise RawTextError(f"{path}, line {number}: invalid JSON ({err.msg}); expected {{\"text\": ...}}") from None
        text = record.get("text") if isinstance(record, dict) else None
        if not isinstance(text, str):
            raise RawTextError(f"{path}, line {number}: expected an object with a \"text\" string")
        if text.strip():
            yield text


def _docbin_texts(path: Path) -> Iterator[str]:
    try:
        doc_bin = DocBin().from_disk(path)
    except Exception as err:  # msgpack, zlib and key errors alike: one line, naming the file
        detail = (str(err).strip().splitlines() or [""])[0]
        raise RawTextError(f"{path}: not a spaCy DocBin (.spacy) file ({type(err).__name__}: {detail})") from None
    vocab = Vocab()
    for doc in doc_bin.get_docs(vocab):
        if doc.text.strip():
            yield doc.text


@registry.readers("spacy_lstm.RawText.v1")
def create_raw_text_reader(
    path: Optional[Path], min_length: int = 0, max_length: int = 0, limit: int = 0, max_words: int = 0
) -> Callable[[Language], Iterator[Example]]:
    """Read raw text for pretraining.

    path (Path): A ``.txt`` file (one document per line), a ``.jsonl`` file or a
        ``.spacy`` DocBin (e.g. a task's training corpus, to adapt the model to it).
    min_length (int): Skip docs with fewer tokens (0: no minimum).
    max_length (int): Skip docs with more tokens (0: no maximum).
    limit (int): Stop after this many docs (0: no limit).
    max_words (int): A budget: stop before the first doc that would take
        the tokens read past this many (0: no budget). The file is streamed,
        so a large corpus costs what the budget says, in time and memory:
        pretraining time is about linear in it (docs/benchmarks.md gives
        minutes per million words).
    """
    if max_words < 0 or limit < 0:
        raise ValueError(f"spacy_lstm.RawText.v1: limit and max_words must be >= 0; got {limit} and {max_words}")

    def read(nlp: Language) -> Iterator[Example]:
        if path is None:  # allowed in configs that only train; pretraining needs it
            raise RawTextError("spacy_lstm.RawText.v1: no path; set [paths] raw_text (or --paths.raw_text)")
        count = words = 0
        for doc in nlp.tokenizer.pipe(iter_texts(path), batch_size=256):
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
