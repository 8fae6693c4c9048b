"""Which precision the LSTMs predict in on the CPU: float32 or bfloat16."""
from functools import lru_cache
from pathlib import Path

import torch

PRECISIONS = ("fp32", "bf16", "auto")


@lru_cache(maxsize=None)
def cpu_has_native_bf16() -> bool:
    """True when the CPU computes bfloat16 in hardware (AMX or AVX-512 BF16),
    read from the Linux CPU flags; False where they cannot be read."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf8", errors="replace")
    except OSError:
        return False
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
            break
    return bool(flags & {"amx_bf16", "avx512_bf16"})


def predicts_in_bf16(precision: str) -> bool:
    """Resolve an ``inference_precision`` setting: ``"fp32"`` (the default of
    every name), ``"bf16"``, or ``"auto"`` (bf16 only where the CPU has it
    natively, so never slower than fp32)."""
    if precision not in PRECISIONS:
        raise ValueError(f"inference_precision must be one of {', '.join(PRECISIONS)}; got {precision!r}")
    if precision == "auto":
        return cpu_has_native_bf16()
    return precision == "bf16"


def cpu_autocast(enabled: bool):
    """``torch.autocast`` to bfloat16 on the CPU when ``enabled``, else a no-op."""
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=enabled)
