"""Plain PyTorch modules wrapped by the Thinc layers in :mod:`spacy_lstm.layers`."""
from .packing import PackingPlan, plan_packing
from .residual_lstm import ResidualLSTM

__all__ = ["PackingPlan", "plan_packing", "ResidualLSTM"]
