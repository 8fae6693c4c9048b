"""Floret subword hashing: which table rows make up a string's vector.

This follows spaCy's ``Vectors(mode="floret")`` lookup exactly:

1. ``w = bow + word + eow`` (``"<"`` and ``">"``), sliced in code points;
2. the strings hashed are ``w`` itself, then every substring of ``w`` of
   length ``minn..maxn``, left to right, duplicates kept;
3. each string's UTF-8 bytes go through MurmurHash3_x64_128 with ``seed``;
   the two 64-bit halves split into four 32-bit values, of which the first
   ``hash_count`` are kept, each taken modulo ``bucket``;
4. the vector is the mean of all selected rows (the empty string gives a
   zero vector).
"""
from dataclasses import dataclass
from typing import Dict, Iterable, List

import numpy

from .murmur import murmurhash3_x64_128

FLORET_SEED = 2166136261
BOW = "<"
EOW = ">"


def floret_ngrams(word: str, minn: int, maxn: int) -> List[str]:
    """The strings spaCy hashes for ``word``: the marked word, then its n-grams."""
    if word == "":
        return []
    marked = BOW + word + EOW
    grams = [marked]
    for n in range(minn, maxn + 1):
        for start in range(0, len(marked) - n + 1):
            grams.append(marked[start : start + n])
    return grams


@dataclass(frozen=True)
class FloretHasher:
    """Maps strings to floret table rows, with a cache per distinct n-gram.

    minn, maxn: smallest and largest character n-gram (spaCy/floret: 3..5;
        minn >= 2 keeps floret and spaCy in agreement).
    hash_count: rows per n-gram, 1..4 (calamanCy uses 2).
    bucket: number of rows in the table (calamanCy md: 200000).
    seed: MurmurHash seed; floret's is 2166136261.
    """

    minn: int
    maxn: int
    hash_count: int
    bucket: int
    seed: int = FLORET_SEED

    def __post_init__(self) -> None:
        if not 1 <= self.hash_count <= 4:
            raise ValueError(f"hash_count must be 1..4, got {self.hash_count}")
        if self.minn < 1 or self.maxn < self.minn:
            raise ValueError(f"need 1 <= minn <= maxn, got minn={self.minn} maxn={self.maxn}")
        if self.bucket < 1:
            raise ValueError(f"bucket must be >= 1, got {self.bucket}")
        object.__setattr__(self, "_cache", {})

    def gram_rows(self, gram: str) -> List[int]:
        cache: Dict[str, List[int]] = self._cache  # type: ignore[attr-defined]
        rows = cache.get(gram)
        if rows is None:
            h1, h2 = murmurhash3_x64_128(gram.encode("utf8"), self.seed)
            values = (h1 & 0xFFFFFFFF, h1 >> 32, h2 & 0xFFFFFFFF, h2 >> 32)
            rows = [v % self.bucket for v in values[: self.hash_count]]
            cache[gram] = rows
        return rows

    def rows(self, word: str) -> List[int]:
        """All table rows whose mean is ``word``'s vector (may repeat rows)."""
        out: List[int] = []
        for gram in floret_ngrams(word, self.minn, self.maxn):
            out.extend(self.gram_rows(gram))
        return out

    def rows_csr(self, words: Iterable[str]):
        """Rows of many words as (flat int64 rows, int64 offsets of len(words)+1)."""
        flat: List[int] = []
        offsets = [0]
        for word in words:
            flat.extend(self.rows(word))
            offsets.append(len(flat))
        return numpy.asarray(flat, dtype="int64"), numpy.asarray(offsets, dtype="int64")

    def vector(self, table: numpy.ndarray, word: str) -> numpy.ndarray:
        """The vector of ``word`` from a (bucket, dim) table, as spaCy computes it."""
        rows = self.rows(word)
        if not rows:
            return numpy.zeros((table.shape[1],), dtype=table.dtype)
        return table[rows].mean(axis=0)
