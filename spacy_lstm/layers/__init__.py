"""Thinc layers: one concept per module."""
from .lstm_encoder import LSTMEncoder
from .word_dropout import word_dropout

__all__ = ["LSTMEncoder", "word_dropout"]
