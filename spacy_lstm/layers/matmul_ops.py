"""Thinc's numpy ops whose matrix products can train in bfloat16, or in torch.

:class:`TrainingMatmulOps` is thinc's :class:`NumpyOps` with one change:
inside :func:`spacy_lstm.modules.precision.training_in_bf16`, ``gemm`` runs
as a torch matrix product of bfloat16 copies (oneDNN's AVX-512 BF16 or AMX
kernels, with float32 accumulation; torch's thread count). Everywhere else,
prediction included, it is ``NumpyOps.gemm`` itself, so outputs do not
change by a bit, unless it is made with ``float32_in_torch``: then float32
products run as torch's float32 ``mm`` (MKL or oneDNN, torch's threads),
2.5x thinc's single-threaded blis on one thread of the CPUs measured, and
equal to it up to float32 rounding. The pretraining objective puts it on
the layers it trains (``PretrainBiLM.v2``'s bf16 ``precision``, and
``PretrainBiLM.v3`` in every precision); no global ops are touched.
"""
from typing import Optional

import numpy
import torch
from thinc.api import Model, NumpyOps

from ..modules.precision import trains_in_bf16


class TrainingMatmulOps(NumpyOps):
    """``NumpyOps`` with a bfloat16 ``gemm`` while training in bf16."""

    name = "spacy_lstm_training_matmul"

    def __init__(self, *args, float32_in_torch: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.float32_in_torch = float32_in_torch

    def gemm(self, x, y, out: Optional[numpy.ndarray] = None, trans1: bool = False, trans2: bool = False):
        bf16 = trains_in_bf16()
        if x.dtype != numpy.float32 or y.dtype != numpy.float32 or not (bf16 or self.float32_in_torch):
            return super().gemm(x, y, out=out, trans1=trans1, trans2=trans2)
        a = torch.from_numpy(numpy.ascontiguousarray(x))
        b = torch.from_numpy(numpy.ascontiguousarray(y))
        if bf16:
            a, b = a.bfloat16(), b.bfloat16()
        product = torch.mm(a.t() if trans1 else a, b.t() if trans2 else b).float().numpy()
        if out is None:
            return product
        out[...] = product
        return out


def use_training_matmul(model: Model, float32_in_torch: bool = False) -> int:
    """Give every node of ``model`` that runs on thinc's ``NumpyOps`` a
    :class:`TrainingMatmulOps` (without ``float32_in_torch``: the same
    results outside bf16 training); returns how many nodes changed."""
    changed = 0
    ops = TrainingMatmulOps(float32_in_torch=float32_in_torch)
    for node in model.walk():
        if type(node.ops) is NumpyOps:
            node.ops = ops
            changed += 1
    return changed
