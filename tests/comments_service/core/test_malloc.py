"""glibc's malloc tuned (two arenas, however many threads) and trimmed (free heap pages given
back), each checked in a fresh process against the untouched default."""

import platform
import subprocess
import sys

import pytest

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

TUNE_PROBE = """
import ctypes, sqlite3, sys, threading
from comments_service.core import malloc
tuned = sys.argv[1] == "tuned" and malloc.tune()

def work():  # SQLite allocates with the GIL released: threads meet in malloc, as in a worker
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute("create table t(x)")
    for _ in range(200):
        db.executemany("insert into t values (?)", [("x" * 500,)] * 50)
        db.execute("select group_concat(x) from t").fetchone()

threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
libc = ctypes.CDLL("libc.so.6")
libc.open_memstream.restype = ctypes.c_void_p
text, size = ctypes.c_char_p(), ctypes.c_size_t()
stream = ctypes.c_void_p(libc.open_memstream(ctypes.byref(text), ctypes.byref(size)))
libc.malloc_info(0, stream)
libc.fclose(stream)
print(tuned, text.value.decode().count("<heap nr="))
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


def probe(code: str, mode: str) -> list[str]:
    return subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True,
                          check=True).stdout.split()


@pytest.mark.parametrize("mode", ["tuned", "default"])
def test_tuned_malloc_keeps_a_threaded_process_to_two_arenas(mode):
    """Eight threads meeting in malloc get ARENA_MAX arenas between them once tuned; by glibc's
    default, one each (the default run shows the probe can tell the two)."""
    tuned, arenas = probe(TUNE_PROBE, mode)
    if mode == "tuned":
        assert tuned == "True" and int(arenas) <= 2
    else:
        assert int(arenas) > 2


@pytest.mark.parametrize("mode", ["trimmed", "default"])
def test_trim_gives_back_the_heap_freed_below_its_top(mode):
    trimmed, given_back_mib = probe(TRIM_PROBE, mode)
    if mode == "trimmed":
        assert trimmed == "True" and int(given_back_mib) >= 40
    else:
        assert int(given_back_mib) < 10
