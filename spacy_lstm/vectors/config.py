"""Settings of a vector training run, with word2vec/fastText-style defaults."""
from dataclasses import asdict, dataclass
from typing import Optional

from ..errors import UsageError


@dataclass
class VectorsConfig:
    """Hyperparameters of skip-gram training.

    mode: "word" (one row per vocabulary word) or "floret" (hashed subwords).
    dim: vector width (calamanCy md: 200; 100-300 is usual).
    window: largest context distance; each center draws 1..window.
    negative: negatives per (center, context) pair (5-20).
    min_count: words seen fewer times are dropped before windowing.
    max_vocab: keep at most this many words (None: no cap).
    sample: subsampling threshold t (fastText 1e-4, word2vec 1e-3; 0 = off).
    epochs: passes over the corpus.
    lr: starting learning rate, decayed linearly to ~0 (fastText uses 0.05).
    minn, maxn, hash_count, bucket: floret subword settings (ignored in word mode).
    batch_size: center tokens per SGD step (a few thousand; larger is faster
        but applies more updates at once).
    neg_group: centers that share one pool of negatives (1..64).
    damping: a row updated c times in one step gets its summed update
        scaled by c**-damping (0 = plain sum, 1 = mean); keeps big batches
        from overshooting on frequent words.
    tokenizer: "spacy" (spaCy's rules for ``lang``) or "whitespace".
    lowercase: lowercase every token before counting.
    threads: torch CPU threads (0 = leave torch's default).
    device: "cpu", "cuda", "cuda:N" or "auto" (cuda when available).
    seed: seeds every random draw (per device).
    """

    mode: str = "word"
    dim: int = 100
    window: int = 5
    negative: int = 5
    min_count: int = 5
    max_vocab: Optional[int] = None
    sample: float = 1e-4
    epochs: int = 5
    lr: float = 0.05
    minn: int = 3
    maxn: int = 5
    hash_count: int = 2
    bucket: int = 200000
    batch_size: int = 1024
    neg_group: int = 8
    damping: float = 0.5
    tokenizer: str = "spacy"
    lang: str = "tl"
    lowercase: bool = False
    threads: int = 0
    device: str = "cpu"
    seed: int = 0

    def validate(self) -> None:
        checks = [
            (self.mode in ("word", "floret"), f"mode must be 'word' or 'floret', got {self.mode!r}"),
            (self.dim >= 1, f"dim must be >= 1, got {self.dim}"),
            (self.window >= 1, f"window must be >= 1, got {self.window}"),
            (self.negative >= 1, f"negative must be >= 1, got {self.negative}"),
            (self.min_count >= 1, f"min_count must be >= 1, got {self.min_count}"),
            (self.max_vocab is None or self.max_vocab >= 1, f"max_vocab must be >= 1 (or unset for no cap), got {self.max_vocab}"),
            (self.threads >= 0, f"threads must be >= 0, got {self.threads}"),
            (self.sample >= 0, f"sample must be >= 0, got {self.sample}"),
            (self.epochs >= 1, f"epochs must be >= 1, got {self.epochs}"),
            (self.lr > 0, f"lr must be > 0, got {self.lr}"),
            (self.batch_size >= 1, f"batch_size must be >= 1, got {self.batch_size}"),
            (1 <= self.neg_group <= 64, f"neg_group must be 1..64, got {self.neg_group}"),
            (0 <= self.damping <= 1, f"damping must be in [0, 1], got {self.damping}"),
            (self.tokenizer in ("spacy", "whitespace"), f"tokenizer must be 'spacy' or 'whitespace', got {self.tokenizer!r}"),
        ]
        if self.mode == "floret":
            checks += [
                (2 <= self.minn <= self.maxn, f"need 2 <= minn <= maxn, got {self.minn}, {self.maxn}"),
                (1 <= self.hash_count <= 4, f"hash_count must be 1..4, got {self.hash_count}"),
                (self.bucket >= 1, f"bucket must be >= 1, got {self.bucket}"),
            ]
        for ok, message in checks:
            if not ok:
                raise UsageError(message)
        from spacy.util import get_lang_class

        try:
            get_lang_class(self.lang)
        except Exception:
            raise UsageError(f"lang {self.lang!r} is not a language code spaCy knows (e.g. 'tl', 'en', 'xx')") from None

    def to_dict(self) -> dict:
        return asdict(self)
