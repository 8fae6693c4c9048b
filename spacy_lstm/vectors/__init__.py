"""Skip-gram vector training (word and floret modes) in PyTorch."""
from .config import VectorsConfig
from .errors import VectorsInputError
from .floret_hash import FloretHasher, floret_ngrams
from .train import TrainingResult, train_vectors

__all__ = ["VectorsConfig", "VectorsInputError", "FloretHasher", "floret_ngrams", "TrainingResult", "train_vectors"]
