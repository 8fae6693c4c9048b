"""Corpus converters with input validation: CoNLL-U, IOB NER, CSV/TSV textcat."""
from .errors import ConversionError

__all__ = ["ConversionError"]
