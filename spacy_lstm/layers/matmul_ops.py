"""Thinc's numpy ops whose matrix products can run in torch.

:class:`MatmulOps` is thinc's :class:`NumpyOps` with one change, ``gemm``:

* inside :func:`spacy_lstm.modules.precision.training_in_bf16` it is a torch
  matrix product of bfloat16 copies (oneDNN's AVX-512 BF16 or AMX kernels,
  with float32 accumulation; torch's thread count);
* made with ``float32_in_torch``, float32 products run as torch's float32
  ``mm`` (MKL or oneDNN, torch's threads): 2.5x thinc's single-threaded blis
  on one thread of the CPUs measured, equal to it up to float32 rounding;
* made with ``predict_in_torch``, the same, only inside
  :func:`spacy_lstm.modules.precision.prediction_pass` (a tok2vec predicting);
  training keeps blis.

Everywhere else it is ``NumpyOps.gemm`` itself, so outputs do not change by a
bit. The pretraining objective puts it on the layers it trains
(``PretrainBiLM.v2``'s bf16 ``precision``, and ``PretrainBiLM.v3`` in every
precision); a tok2vec whose LSTMs predict in bfloat16 (``inference_precision``
``"bf16"``, or ``"auto"`` on a CPU with bfloat16) puts it, with
``predict_in_torch``, on its own Thinc layers (the embedding's mixer and the
static vectors' projection: thinc's blis took 0.57 ms of a 23-token doc's
7.8 ms on the AVX-512 BF16 EPYC, torch 0.16 ms). No global ops are touched.
"""
from typing import Optional

import numpy
import torch
from thinc.api import Model, NumpyOps

from ..modules.precision import in_prediction_pass, trains_in_bf16


class MatmulOps(NumpyOps):
    """``NumpyOps`` with a torch ``gemm`` while training in bf16, and in the
    cases its flags set (see the module)."""

    name = "spacy_lstm_matmul"

    def __init__(self, *args, float32_in_torch: bool = False, predict_in_torch: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.float32_in_torch = float32_in_torch
        self.predict_in_torch = predict_in_torch

    def gemm(self, x, y, out: Optional[numpy.ndarray] = None, trans1: bool = False, trans2: bool = False):
        bf16 = trains_in_bf16()
        in_torch = bf16 or self.float32_in_torch or (self.predict_in_torch and in_prediction_pass())
        if x.dtype != numpy.float32 or y.dtype != numpy.float32 or not in_torch:
            return super().gemm(x, y, out=out, trans1=trans1, trans2=trans2)
        a = torch.from_numpy(numpy.ascontiguousarray(x))
        b = torch.from_numpy(numpy.ascontiguousarray(y))
        if bf16:
            a, b = a.bfloat16(), b.bfloat16()
        with torch.no_grad():
            product = torch.mm(a.t() if trans1 else a, b.t() if trans2 else b).float().numpy()
        if out is None:
            return product
        out[...] = product
        return out


def _replace_ops(model: Model, **flags: bool) -> int:
    """Give every node of ``model`` on thinc's ``NumpyOps`` or on a
    :class:`MatmulOps` a :class:`MatmulOps` with ``flags`` set (the flags a
    node's MatmulOps had stay set); returns how many nodes changed."""
    made = {}
    changed = 0
    for node in model.walk():
        if type(node.ops) not in (NumpyOps, MatmulOps):
            continue
        settings = {name: getattr(node.ops, name, False) for name in ("float32_in_torch", "predict_in_torch")}
        settings.update({name: True for name, value in flags.items() if value})
        key = tuple(sorted(settings.items()))
        if key not in made:
            made[key] = MatmulOps(**settings)
        node.ops = made[key]
        changed += 1
    return changed


def use_training_matmul(model: Model, float32_in_torch: bool = False) -> int:
    """Give every node of ``model`` that runs on thinc's ``NumpyOps`` (or on a
    :class:`MatmulOps`) a :class:`MatmulOps` (without ``float32_in_torch``:
    the same results outside bf16 training); returns how many nodes changed."""
    return _replace_ops(model, float32_in_torch=float32_in_torch)


def use_prediction_matmul(model: Model) -> int:
    """Give every node of ``model`` that runs on thinc's ``NumpyOps`` (or on a
    :class:`MatmulOps`) a :class:`MatmulOps` whose float32 products run in
    torch inside a prediction pass; returns how many nodes changed."""
    return _replace_ops(model, predict_in_torch=True)


__all__ = ["MatmulOps", "use_prediction_matmul", "use_training_matmul"]
