"""Pretraining the tok2vec as a bidirectional language model with ``spacy pretrain``."""
from .objective import create_pretrain_bilm
from .raw_text import create_raw_text_reader
from .schedule import warmup_linear_over_text

__all__ = ["create_pretrain_bilm", "create_raw_text_reader", "warmup_linear_over_text"]
