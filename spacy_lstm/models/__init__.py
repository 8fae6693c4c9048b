"""Complete architectures assembled from :mod:`spacy_lstm.layers`."""
from .tok2vec import LSTMTok2Vec

__all__ = ["LSTMTok2Vec"]
