"""glibc's malloc, tuned and trimmed, for the two long processes that free big blocks: a service
worker (pages of hundreds of KB, built by 16 threads) and the site build (every article's HTML and
page). Elsewhere (macOS, musl: no `mallopt`/`malloc_trim`) every function does nothing and says so.

- `tune()`: mallopt(3) settings, for a process before it starts threads or forks: at most
  ARENA_MAX arenas (glibc gives each thread that finds the others' arenas busy one of its own, up
  to 8 per core, and memory freed in one is reused only there: a gthread worker had 9). The mmap
  threshold is left to glibc: fixed at 128 KiB it gave every 300 KB page body a mapping of its own,
  returned when freed, and cost a fifth of a worker's cache misses (a map, ~70 page faults and an
  unmap with its TLB shootdown per body, in a threaded process on a VM; issue 16, 16:48 UTC A/B).
- `trim()`: malloc_trim(0), every whole free page of the heap given back to the system (glibc
  otherwise gives back only from the heap's top).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

#: mallopt(3) parameter (glibc's malloc.h).
M_ARENA_MAX = -8
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
    """Apply ARENA_MAX (see the module docstring); False where not glibc."""
    mallopt = _libc_function("mallopt", (ctypes.c_int, ctypes.c_int), ctypes.c_int)
    return mallopt is not None and mallopt(M_ARENA_MAX, ARENA_MAX) == 1


def trim() -> bool:
    """Give the heap's free pages back to the system; False where not glibc."""
    malloc_trim = _libc_function("malloc_trim", (ctypes.c_size_t,), ctypes.c_int)
    if malloc_trim is None:
        return False
    malloc_trim(0)
    return True
