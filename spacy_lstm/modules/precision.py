"""Which precision the LSTMs predict in on the CPU: float32 or bfloat16."""
import contextvars
import copy
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, ContextManager, Dict, FrozenSet, Iterator, Tuple

import torch

PRECISIONS = ("fp32", "bf16", "auto")


@lru_cache(maxsize=None)
def cpu_info() -> Tuple[str, FrozenSet[str]]:
    """(model name, flags) of the CPU from Linux's /proc/cpuinfo; ("", {})
    where it cannot be read."""
    model, flags = "", frozenset()
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf8", errors="replace")
    except OSError:
        return model, flags
    for line in text.splitlines():
        if line.startswith("model name") and not model:
            model = line.split(":", 1)[1].strip()
        elif line.startswith("flags") and not flags:
            flags = frozenset(line.split(":", 1)[1].split())
    return model, flags


def cpu_has_native_bf16() -> bool:
    """True when the CPU computes bfloat16 in hardware (AMX or AVX-512 BF16),
    read from the Linux CPU flags; False where they cannot be read."""
    return bool(cpu_info()[1] & {"amx_bf16", "avx512_bf16"})


def cpu_has_avx512() -> bool:
    """True when the CPU has AVX-512 (``avx512f``), read from the Linux CPU
    flags; False where they cannot be read."""
    return "avx512f" in cpu_info()[1]


def predicts_in_bf16(precision: str, setting: str = "inference_precision") -> bool:
    """Resolve an ``inference_precision`` setting (or another precision
    setting, named ``setting`` in the error): ``"fp32"`` (the default of
    every name), ``"bf16"``, or ``"auto"`` (bf16 only where the CPU has it
    natively, so never slower than fp32)."""
    if precision not in PRECISIONS:
        raise ValueError(f"{setting} must be one of {', '.join(PRECISIONS)}; got {precision!r}")
    if precision == "auto":
        return cpu_has_native_bf16()
    return precision == "bf16"


#: Attribute set on the modules of a prediction copy (:func:`prediction_copy`):
#: their parameters never change, so what is derived from them may be kept.
_PREDICTION_COPY = "_spacy_lstm_prediction_copy"


def prediction_copy(module: torch.nn.Module, cache: Dict[Any, Any],
                    dtype: torch.dtype = torch.bfloat16) -> torch.nn.Module:
    """A frozen copy of ``module`` in ``dtype`` for prediction, kept in
    ``cache`` and made again when a parameter of ``module`` changes storage
    or version (the caller clears the cache when it trains or its weights
    are updated: thinc's optimizer writes through numpy, unseen by torch's
    version counters). In bfloat16, predicting with it does not cast the
    weights on every call as autocast does (measured: 14 % faster than
    autocast for one LSTM layer); in either dtype its LSTMs may keep their
    weights packed for oneDNN (:mod:`.onednn_lstm`). A whole module copy, not
    ``torch.func.functional_call`` with copied weights: that swapped the
    weights in and out on every call, 0.25 s of 2 s when ``nlp(text)``
    predicts 200 short texts one at a time."""
    key = (id(module), dtype)
    entry = cache.get(key)
    if entry is None or entry[0] is not module:
        entry = (module, list(module.parameters()), None, None)
    stamp = tuple((param.data_ptr(), param._version) for param in entry[1])
    if entry[2] != stamp:
        twin = copy.deepcopy(module).to(dtype).eval()
        twin.requires_grad_(False)
        for part in twin.modules():
            part.__dict__[_PREDICTION_COPY] = True
        entry = cache[key] = (module, entry[1], stamp, twin)
    return entry[3]


def is_prediction_copy(module: torch.nn.Module) -> bool:
    """Whether ``module`` is part of a :func:`prediction_copy`."""
    return bool(module.__dict__.get(_PREDICTION_COPY))


def bf16_copy(module: torch.nn.Module, cache: Dict[Any, Any]) -> torch.nn.Module:
    """:func:`prediction_copy` in bfloat16."""
    return prediction_copy(module, cache, torch.bfloat16)


def run_in_bf16(module: torch.nn.Module, cache: Dict[Any, Any], *inputs: Any) -> Any:
    """Call :func:`bf16_copy` of ``module`` (the inputs must be bfloat16 already)."""
    return bf16_copy(module, cache)(*inputs)


@contextmanager
def _scoped(variable: "contextvars.ContextVar[bool]", value: bool) -> Iterator[None]:
    """``variable`` set to ``value`` inside the block, as it was after it."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


#: Set while a caller trains in bfloat16 (:func:`training_in_bf16`); read by
#: the LSTM stacks and by the Thinc matrix products of
#: :class:`spacy_lstm.layers.matmul_ops.MatmulOps`.
_TRAINING_BF16 = contextvars.ContextVar("spacy_lstm_training_bf16", default=False)


def training_in_bf16(enabled: bool = True) -> ContextManager[None]:
    """Inside, CPU training runs its LSTMs and its large matrix products in
    bfloat16 (autocast; weights, sums of gradients, LayerNorms and the
    optimizer stay float32). Scoped to the block and the thread: nothing
    outside it changes. Used by the pretraining objective's ``precision``."""
    return _scoped(_TRAINING_BF16, bool(enabled))


def trains_in_bf16() -> bool:
    """Whether the caller asked for bfloat16 training (:func:`training_in_bf16`)."""
    return _TRAINING_BF16.get()


#: Set while a tok2vec predicts (``is_train`` false: ``nlp(text)``,
#: ``nlp.pipe``, evaluation); read by the Thinc matrix products of
#: :class:`spacy_lstm.layers.matmul_ops.MatmulOps` made with ``predict_in_torch``.
_PREDICTING = contextvars.ContextVar("spacy_lstm_predicting", default=False)


def prediction_pass() -> ContextManager[None]:
    """Marks a forward pass without gradients (a tok2vec's prediction), scoped
    to the block and the thread."""
    return _scoped(_PREDICTING, True)


def in_prediction_pass() -> bool:
    """Whether the caller is inside :func:`prediction_pass`."""
    return _PREDICTING.get()
