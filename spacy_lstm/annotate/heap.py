"""Peak memory of a long ``annotate`` run: large blocks go back to the system.

glibc serves a block of at least its *mmap threshold* with ``mmap`` and
returns it to the system when it is freed; smaller blocks come from the
heap, which keeps what is freed for reuse. The threshold starts at 128 kB
and rises to the size of every larger mmapped block freed (up to 32 MB),
so after the first big batch the large buffers of every later batch (the
LSTM grids, the heads' inputs) come from the heap, and the heap keeps the
largest batch's worth at once, fragmented. Over the whole shared raw text
(lines up to 641 words) a bfloat16 worker kept 210 MB free that way against
125 MB in float32 (bench/memory_probe.py). With the threshold fixed at
1 MB both peak lower, and bfloat16's peak stays near float32's
(docs/benchmarks.md, "CPU inference speed").

A process-wide setting: ``annotate`` applies it in its own processes (the
command's, its workers, its Ray actors), never on import, and
:func:`set_mmap_threshold` does nothing for 0.
"""
import ctypes
import ctypes.util

#: ``annotate``'s default (``--mmap-threshold-mb``), in MB.
DEFAULT_MMAP_THRESHOLD_MB = 1
#: glibc's ``mallopt`` parameter ``M_MMAP_THRESHOLD``.
_M_MMAP_THRESHOLD = -3
#: glibc refuses thresholds above ``HEAP_MAX_SIZE / 2`` (32 MB on 64-bit).
MAX_MMAP_THRESHOLD_MB = 32


def set_mmap_threshold(megabytes: int) -> bool:
    """Serve blocks of at least ``megabytes`` MB from ``mmap`` in this
    process (and the processes it forks from now on); True where glibc took
    it, False for 0 or where there is no glibc ``mallopt`` (macOS, musl:
    nothing changes there)."""
    if megabytes < 0 or megabytes > MAX_MMAP_THRESHOLD_MB:
        raise ValueError(f"mmap threshold must be 0-{MAX_MMAP_THRESHOLD_MB} MB, got {megabytes}")
    if not megabytes:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    if not hasattr(libc, "gnu_get_libc_version"):
        return False  # another libc's mallopt takes other parameters
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, megabytes << 20))


__all__ = ["DEFAULT_MMAP_THRESHOLD_MB", "MAX_MMAP_THRESHOLD_MB", "set_mmap_threshold"]
