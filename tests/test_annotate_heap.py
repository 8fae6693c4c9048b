"""annotate's --mmap-threshold-mb (spacy_lstm/annotate/heap.py): glibc's
threshold for serving blocks from mmap, set only where asked."""
import subprocess
import sys

import pytest

from spacy_lstm.annotate.heap import set_mmap_threshold

# In a fresh process: free a 20 MB mmapped block (glibc then raises its
# threshold to 20 MB), allocate 4 MB, and print whether it was mmapped
# (mallinfo2's hblkhd: bytes in mmapped blocks) after set_mmap_threshold(ARG).
PROBE = """
import ctypes, ctypes.util, sys
from spacy_lstm.annotate.heap import set_mmap_threshold
libc = ctypes.CDLL(ctypes.util.find_library("c"))
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                 "fsmblks", "uordblks", "fordblks", "keepcost")]
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
applied = set_mmap_threshold(int(sys.argv[1]))
libc.free(libc.malloc(20 << 20))
before = libc.mallinfo2().hblkhd
block = libc.malloc(4 << 20)
print(applied, libc.mallinfo2().hblkhd - before >= 4 << 20)
libc.free(block)
"""


def _glibc() -> bool:
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        return hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "mallinfo2")
    except OSError:
        return False


@pytest.mark.skipif(not _glibc(), reason="needs glibc 2.33+ (mallopt, mallinfo2)")
def test_a_block_above_the_threshold_is_mmapped_only_when_set():
    """glibc's default keeps a 4 MB block on the heap once a larger one was
    freed; with the threshold at 1 MB it is mmapped (returned when freed)."""
    results = {}
    for megabytes in (0, 1):
        done = subprocess.run([sys.executable, "-c", PROBE, str(megabytes)], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        results[megabytes] = done.stdout.split()
    assert results == {0: ["False", "False"], 1: ["True", "True"]}


@pytest.mark.parametrize("megabytes", [-1, 33])
def test_a_threshold_out_of_range_is_refused(megabytes):
    with pytest.raises(ValueError, match="0-32 MB"):
        set_mmap_threshold(megabytes)
