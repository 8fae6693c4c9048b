"""``spacy_lstm.CompactEmbed.v1``: narrow hash tables, static vectors and
character features mixed down to ``width`` by one Maxout layer."""
from typing import List, Union, cast

from spacy.ml.featureextractor import FeatureExtractor
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    HashEmbed,
    Maxout,
    Model,
    chain,
    concatenate,
    expand_window,
    list2ragged,
    ragged2list,
    residual,
    with_array,
)
from thinc.types import Floats2d, Ints2d, Ragged

from .char_embed import CharacterEmbed
from .static_vectors import StaticVectors

# First hash seed; each table takes the next one (as spaCy's MultiHashEmbed does, from 8).
_FIRST_SEED = 8


@registry.architectures("spacy_lstm.CompactEmbed.v1")
def CompactEmbed(
    width: int,
    attrs: List[Union[str, int]],
    rows: List[int],
    attr_widths: List[int],
    include_static_vectors: bool = True,
    vectors_width: int = 128,
    char_width: int = 0,
    char_count: int = 8,
    maxout_pieces: int = 2,
    window_size: int = 0,
) -> Model[List[Doc], List[Floats2d]]:
    """Embed each token from hashed lexical attributes, the pipeline's static
    vectors and (optionally) its characters, then mix them once, with a
    Maxout layer with LayerNorm, into a vector of size ``width``. A Thinc
    ``Dropout`` follows; spaCy's ``[training] dropout`` sets its rate.

    This is spaCy's ``MultiHashEmbed`` with one width per table instead of
    ``width`` for every table. MultiHashEmbed's mixer maps
    ``(len(attrs) + 1) * width`` inputs to ``3 * width`` pieces, about a
    million multiply-adds per token at width 256: as much as a two-layer
    LSTM. Narrow tables (the suffix of a word carries less than its norm) and
    two pieces cut that three- to fourfold.

    width (int): Output width. 128-512.
    attrs (List[str]): Token attributes to hash-embed (NORM, PREFIX, SUFFIX,
        SHAPE, LOWER, ...).
    rows (List[int]): Rows of each attribute's table; same length as attrs.
        1000-10000 each.
    attr_widths (List[int]): Width of each attribute's table; same length as
        attrs. 16-256 each; give the most to NORM.
    include_static_vectors (bool): Add the static vectors of
        ``nlp.vocab.vectors`` (word or floret mode), projected to
        ``vectors_width``. Needs ``[initialize] vectors``.
    vectors_width (int): Width the static vectors are projected to. 64-256.
    char_width (int): Width of each character embedding; 0 disables character
        features. 8-32 when enabled.
    char_count (int): Characters per word embedded when char_width > 0 (half
        from the start of the word, half from the end). 4-10.
    maxout_pieces (int): Maxout pieces of the mixer. 2-3.
    window_size (int): When > 0, a residual Maxout layer (with LayerNorm) over
        each token's mixed vector and its ``window_size`` neighbours on each
        side (within its doc) follows the mixer, as one layer of spaCy's
        MaxoutWindowEncoder. It gives the next layers local context from the
        first step, which a small NER training set otherwise teaches an LSTM
        slowly. 0-1.
    """
    if not (len(attrs) == len(rows) == len(attr_widths)):
        raise ValueError(
            f"CompactEmbed: attrs, rows and attr_widths need one entry per attribute; "
            f"got {len(attrs)}, {len(rows)} and {len(attr_widths)}"
        )
    if not attrs and not include_static_vectors and not char_width:
        raise ValueError("CompactEmbed: nothing to embed; give attrs, static vectors or char_width")
    if any(w < 1 for w in attr_widths) or any(r < 1 for r in rows):
        raise ValueError(f"CompactEmbed: rows and attr_widths must be positive; got {rows} and {attr_widths}")
    if window_size < 0:
        raise ValueError(f"CompactEmbed: window_size must be >= 0, got {window_size}")
    if char_width < 0 or char_count < 1 or maxout_pieces < 1 or vectors_width < 1:
        raise ValueError(
            "CompactEmbed: char_width must be >= 0 and char_count, maxout_pieces and vectors_width >= 1; "
            f"got {char_width}, {char_count}, {maxout_pieces} and {vectors_width}"
        )
    parts: List[Model[List[Doc], Ragged]] = []
    if attrs:
        tables = [
            HashEmbed(nO=w, nV=r, column=i, seed=_FIRST_SEED + i, dropout=0.0)
            for i, (w, r) in enumerate(zip(attr_widths, rows))
        ]
        parts.append(
            chain(
                FeatureExtractor(attrs),
                cast(Model[List[Ints2d], Ragged], list2ragged()),
                with_array(concatenate(*tables)),
            )
        )
    if include_static_vectors:
        parts.append(StaticVectors(nO=vectors_width, dropout=0.0))
    if char_width:
        parts.append(chain(CharacterEmbed(nM=char_width, nC=char_count), list2ragged()))
    n_in = sum(attr_widths) + (vectors_width if include_static_vectors else 0) + char_width * char_count
    mix = with_array(Maxout(width, n_in, nP=maxout_pieces, dropout=0.0, normalize=True))
    layers = [parts[0] if len(parts) == 1 else concatenate(*parts), mix]
    if window_size:
        layers.append(residual_window(width, window_size, maxout_pieces))
    model: Model[List[Doc], List[Floats2d]] = chain(*layers, ragged2list())
    model.name = "compact_embed"
    model.set_dim("nO", width)
    return model


def residual_window(width: int, window_size: int, maxout_pieces: int) -> Model[Ragged, Ragged]:
    """``x + Maxout(LayerNorm)([x[t-w] .. x[t+w]])`` within each sequence of a
    Ragged (one layer of spaCy's MaxoutWindowEncoder)."""
    n_window = width * (2 * window_size + 1)
    return residual(
        chain(
            expand_window(window_size),
            with_array(Maxout(width, n_window, nP=maxout_pieces, dropout=0.0, normalize=True)),
        )
    )


def default_attr_widths(width: int, n_attrs: int) -> List[int]:
    """Half of ``width`` for the first attribute (NORM), a quarter for each other."""
    return [max(1, width // 2)] + [max(1, width // 4)] * max(0, n_attrs - 1)


__all__ = ["CompactEmbed", "default_attr_widths", "residual_window"]
