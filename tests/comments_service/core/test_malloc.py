"""glibc's malloc tuned (a page body mapped on its own, given back when freed) and trimmed (free
heap pages given back), each checked in a fresh process against the untouched default."""

import os
import platform
import subprocess
import sys

import pytest

from comments_service.core import malloc

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")

MALLINFO = """
import ctypes

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
mallinfo2.restype = MallInfo2

def resident_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
"""

TUNE_PROBE = MALLINFO + """
import sys
from comments_service.core import malloc
tuned = sys.argv[1] == "tuned" and malloc.tune()
freed = bytearray(8 << 20)
del freed  # glibc's default: the mmap threshold rises to 8 MiB, so the next bodies come from the heap
before = mallinfo2().hblks
bodies = [bytearray(300_000) for _ in range(20)]  # twenty thread pages' bodies
print(tuned, mallinfo2().hblks - before)
"""

TRIM_PROBE = MALLINFO + """
import sys
from comments_service.core import malloc
blocks = [bytearray(20_000) for _ in range(3000)]  # 60 MB of heap blocks, below one kept at the top
top = bytearray(20_000)
del blocks
before = resident_kib()
trimmed = sys.argv[1] == "trimmed" and malloc.trim()
print(trimmed, (before - resident_kib()) // 1024)
"""


def probe(code: str, mode: str, **environ: str) -> list[str]:
    return subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True,
                          check=True, env={**os.environ, **environ}).stdout.split()


@pytest.mark.parametrize("mode", ["tuned", "default"])
def test_tuned_malloc_gives_each_large_body_its_own_mapping(mode):
    """Even after a larger block was freed (which, by glibc's default, moves later bodies into the
    heap, where they stay), a page body is mapped on its own and given back when freed. The
    untuned run shows the probe can tell the two."""
    tuned, mapped_bodies = probe(TUNE_PROBE, mode)
    if mode == "tuned":
        assert tuned == "True" and int(mapped_bodies) >= 20
    else:
        assert int(mapped_bodies) == 0


@pytest.mark.parametrize("mode", ["trimmed", "default"])
def test_trim_gives_back_the_heap_freed_below_its_top(mode):
    trimmed, given_back_mib = probe(TRIM_PROBE, mode)
    if mode == "trimmed":
        assert trimmed == "True" and int(given_back_mib) >= 40
    else:
        assert int(given_back_mib) < 10


@pytest.mark.parametrize("environ", [{"MALLOC_MMAP_THRESHOLD_": "1048576"},
                                     {"GLIBC_TUNABLES": "glibc.malloc.check=0:glibc.malloc.mmap_threshold=1048576"}])
def test_a_threshold_the_operator_gave_glibc_is_left_as_it_is(environ):
    """An operator who trades memory for CPU on big pages (docs/deploy.md) raises the threshold in
    glibc's own environment; tune() used to put 128 KiB back over it, mapping every body."""
    tuned, mapped_bodies = probe(TUNE_PROBE, "tuned", **environ)
    assert tuned == "True" and int(mapped_bodies) == 0


def test_set_by_operator_reads_the_variable_and_the_tunables():
    names = ("MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold")
    assert malloc.set_by_operator(*names, {"MALLOC_MMAP_THRESHOLD_": "1048576"})
    assert malloc.set_by_operator(*names, {"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=1048576"})
    assert malloc.set_by_operator(*names, {"GLIBC_TUNABLES": "a=1:glibc.malloc.mmap_threshold=9"})
    assert not malloc.set_by_operator(*names, {"MALLOC_MMAP_THRESHOLD_": ""})
    assert not malloc.set_by_operator(*names, {"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold_x=1"})
    assert not malloc.set_by_operator(*names, {"MALLOC_ARENA_MAX": "2", "GLIBC_TUNABLES": ""})
