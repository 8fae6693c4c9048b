"""Thinc's numpy ops whose matrix products can train in bfloat16.

:class:`TrainingMatmulOps` is thinc's :class:`NumpyOps` with one change:
inside :func:`spacy_lstm.modules.precision.training_in_bf16`, ``gemm`` runs
as a torch matrix product of bfloat16 copies (oneDNN's AVX-512 BF16 or AMX
kernels, with float32 accumulation; torch's thread count). Everywhere else,
prediction included, it is ``NumpyOps.gemm`` itself, so outputs do not
change by a bit. The pretraining objective puts it on the layers it trains
(``PretrainBiLM.v2``'s ``precision``); no global ops are touched.
"""
from typing import Optional

import numpy
import torch
from thinc.api import Model, NumpyOps

from ..modules.precision import trains_in_bf16


class TrainingMatmulOps(NumpyOps):
    """``NumpyOps`` with a bfloat16 ``gemm`` while training in bf16."""

    name = "spacy_lstm_training_matmul"

    def gemm(self, x, y, out: Optional[numpy.ndarray] = None, trans1: bool = False, trans2: bool = False):
        if not trains_in_bf16() or x.dtype != numpy.float32 or y.dtype != numpy.float32:
            return super().gemm(x, y, out=out, trans1=trans1, trans2=trans2)
        a = torch.from_numpy(numpy.ascontiguousarray(x)).bfloat16()
        b = torch.from_numpy(numpy.ascontiguousarray(y)).bfloat16()
        product = torch.mm(a.t() if trans1 else a, b.t() if trans2 else b).float().numpy()
        if out is None:
            return product
        out[...] = product
        return out


def use_training_matmul(model: Model) -> int:
    """Give every node of ``model`` that runs on thinc's ``NumpyOps`` a
    :class:`TrainingMatmulOps` (same results outside bf16 training); returns
    how many nodes changed."""
    changed = 0
    for node in model.walk():
        if type(node.ops) is NumpyOps:
            node.ops = TrainingMatmulOps()
            changed += 1
    return changed
