"""The error converters raise: the document reader's own, one line naming
file, line and what was expected (``ConversionError(path, line, what)``)."""
from ..documents.errors import DocumentError

ConversionError = DocumentError

__all__ = ["ConversionError"]
