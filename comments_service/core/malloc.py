"""glibc's malloc, tuned and trimmed, for the two long processes that free big blocks: a service
worker (pages of hundreds of KB, built by 16 threads) and the site build (every article's HTML and
page). Elsewhere (macOS, musl: no `mallopt`/`malloc_trim`) every function does nothing and says so.

- `tune()`: mallopt(3) settings, for a process before it starts threads or forks: at most
  ARENA_MAX arenas (glibc gives each thread that finds the others' arenas busy one of its own, up
  to 8 per core, and memory freed in one is reused only there), and a fixed mmap threshold (after a
  large block is freed glibc raises the threshold to its size, so later large blocks come from the
  heap, where the small objects allocated around them keep the freed space from going back; fixing
  it turns that adjustment off, and each large block is mapped on its own and returned when freed).
- `trim()`: malloc_trim(0), every whole free page of the heap given back to the system (glibc
  otherwise gives back only from the heap's top).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

#: mallopt(3) parameters (glibc's malloc.h).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
#: Blocks this large or larger get their own mapping, given back to the system when freed.
MMAP_THRESHOLD = 128 * 1024
#: Malloc arenas per process, whatever its number of threads.
ARENA_MAX = 2


@functools.cache
def _libc_function(name: str, argtypes: tuple, restype):
    """The C library's function `name`, or None where there is none."""
    try:
        function = getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None
    function.argtypes, function.restype = argtypes, restype
    return function


def tune() -> bool:
    """Apply ARENA_MAX and MMAP_THRESHOLD (see the module docstring); False where not glibc."""
    mallopt = _libc_function("mallopt", (ctypes.c_int, ctypes.c_int), ctypes.c_int)
    if mallopt is None:
        return False
    return all(mallopt(parameter, value) == 1 for parameter, value in (
        (M_ARENA_MAX, ARENA_MAX), (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
        (M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD)))


def trim() -> bool:
    """Give the heap's free pages back to the system; False where not glibc."""
    malloc_trim = _libc_function("malloc_trim", (ctypes.c_size_t,), ctypes.c_int)
    if malloc_trim is None:
        return False
    malloc_trim(0)
    return True
