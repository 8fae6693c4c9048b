"""spacy-lstm: packed, batch-invariant PyTorch LSTM tok2vec architectures for spaCy.

Importing this package registers its architectures; spaCy also finds them
without an import through the ``spacy_architectures`` entry points.
"""
from . import process_safety
from .layers.lstm_encoder import LSTMEncoder
from .layers.compact_embed import CompactEmbed
from .layers.lstm_encoder import LSTMEncoder_v2, LSTMEncoder_v3
from .layers.refine import Refine
from .models.tok2vec import LSTMTok2Vec, LSTMTok2Vec_v2, LSTMTok2Vec_v3, LSTMTok2Vec_v4, Tok2Vec
from .pretraining import create_pretrain_bilm, create_raw_text_reader

__version__ = "0.1.0"

process_safety.install()

__all__ = [
    "CompactEmbed",
    "LSTMEncoder",
    "LSTMEncoder_v2",
    "LSTMEncoder_v3",
    "LSTMTok2Vec",
    "LSTMTok2Vec_v2",
    "LSTMTok2Vec_v3",
    "LSTMTok2Vec_v4",
    "Refine",
    "Tok2Vec",
    "__version__",
]
