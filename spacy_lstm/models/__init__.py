"""Complete architectures assembled from :mod:`spacy_lstm.layers`."""
from .textcat import TextCatReduce
from .tok2vec import LSTMTok2Vec, LSTMTok2Vec_v2, LSTMTok2Vec_v3, LSTMTok2Vec_v4, Tok2Vec

__all__ = ["LSTMTok2Vec", "LSTMTok2Vec_v2", "LSTMTok2Vec_v3", "LSTMTok2Vec_v4", "TextCatReduce", "Tok2Vec"]
