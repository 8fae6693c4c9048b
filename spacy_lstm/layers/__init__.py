"""Thinc layers: one concept per module."""
from .compact_embed import CompactEmbed
from .lstm_encoder import LSTMEncoder
from .word_dropout import word_dropout

__all__ = ["CompactEmbed", "LSTMEncoder", "word_dropout"]
