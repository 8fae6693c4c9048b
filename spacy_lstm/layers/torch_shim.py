"""The Thinc node around our PyTorch modules: Thinc's ``PyTorchWrapper_v2``
with a shim that predicts without switching the module's mode back and forth.

Thinc's ``PyTorchShim.predict`` calls ``module.eval()`` before and
``module.train()`` after every prediction; each walks every submodule (about
70 per encoder), which costs as much as the packing plan when ``nlp(text)``
is called one short text at a time. :class:`PredictShim` switches to eval
mode only when the module is in training mode and leaves it there; Thinc's
``begin_update`` switches to training mode itself, so training is unchanged,
and predictions are the same (eval mode, no gradients).

Modules that keep frozen prediction copies of their weights (the LSTM
stacks' ``drop_prediction_copies``) are told after every optimizer step:
thinc's optimizer writes the new weights in place through numpy, which
torch's version counters do not see.
"""
from typing import Any, Callable

import torch
from thinc.api import ArgsKwargs, Model, PyTorchGradScaler, PyTorchShim
from thinc.layers.pytorchwrapper import forward as pytorch_forward


class PredictShim(PyTorchShim):
    """``PyTorchShim`` whose ``predict`` leaves the module in eval mode."""

    def predict(self, inputs: ArgsKwargs) -> Any:
        if self._model.training:
            self._model.eval()
        with torch.no_grad():
            with torch.autocast(device_type="cuda", enabled=self._mixed_precision):
                return self._model(*inputs.args, **inputs.kwargs)

    def finish_update(self, optimizer: Any) -> None:
        super().finish_update(optimizer)
        for module in self._model.modules():
            drop = getattr(module, "drop_prediction_copies", None)
            if drop is not None:
                drop()


def torch_wrapper(
    module: torch.nn.Module,
    convert_inputs: Callable,
    convert_outputs: Callable,
    mixed_precision: bool,
    grad_scaler: PyTorchGradScaler,
) -> Model:
    """``PyTorchWrapper_v2(module, ...)`` (same node, attrs, dims and bytes)
    with :class:`PredictShim`."""
    return Model(
        "pytorch",
        pytorch_forward,
        attrs={"convert_inputs": convert_inputs, "convert_outputs": convert_outputs},
        shims=[PredictShim(module, mixed_precision=mixed_precision, grad_scaler=grad_scaler)],
        dims={"nI": None, "nO": None},
    )


__all__ = ["PredictShim", "torch_wrapper"]
