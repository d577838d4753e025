"""glibc's malloc, tuned and trimmed, for the two long processes that free big blocks: a service
worker (pages of hundreds of KB, built by 16 threads) and the site build (every article's HTML and
page). Elsewhere (macOS, musl: no `mallopt`/`malloc_trim`) every function does nothing and says so.

- `tune()`: mallopt(3) settings, for a process before it starts threads or forks: at most
  ARENA_MAX arenas (glibc gives each thread that finds the others' arenas busy one of its own, up
  to 8 per core, and memory freed in one is reused only there), and a fixed mmap threshold (after a
  large block is freed glibc raises the threshold to its size, so later large blocks come from the
  heap, where the small objects allocated around them keep the freed space from going back; fixing
  it turns that adjustment off, and each large block is mapped on its own and returned when freed).
  A parameter the operator set through glibc's own environment (`MALLOC_MMAP_THRESHOLD_=1048576`,
  or `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1048576`; the same for arena_max and
  trim_threshold) is theirs: tune() leaves it. The fixed threshold costs CPU on big pages: a
  1,000-comment page on a cache miss faults in its three 282 KiB blocks afresh each time (1.03 ms
  in process, against 0.53 ms with `MALLOC_MMAP_THRESHOLD_=1048576 MALLOC_TRIM_THRESHOLD_=2097152`;
  docs/benchmarks.md), so a site with big threads and memory to spare may raise both.
- `trim()`: malloc_trim(0), every whole free page of the heap given back to the system (glibc
  otherwise gives back only from the heap's top).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
from collections.abc import Mapping

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


#: Each mallopt parameter tune() sets: its value, and the names under which glibc reads it from the
#: environment (the legacy variable, the tunable), where an operator's choice overrides ours.
TUNED = {M_ARENA_MAX: (ARENA_MAX, "MALLOC_ARENA_MAX", "glibc.malloc.arena_max"),
         M_MMAP_THRESHOLD: (MMAP_THRESHOLD, "MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold"),
         M_TRIM_THRESHOLD: (2 * MMAP_THRESHOLD, "MALLOC_TRIM_THRESHOLD_", "glibc.malloc.trim_threshold")}


def set_by_operator(variable: str, tunable: str, environ: Mapping[str, str]) -> bool:
    """Whether `environ` gives glibc this parameter (GLIBC_TUNABLES: name=value pairs joined by
    colons)."""
    tunables = environ.get("GLIBC_TUNABLES", "")
    return bool(environ.get(variable)) or any(
        pair.partition("=")[0] == tunable for pair in tunables.split(":"))


def tune(environ: Mapping[str, str] = os.environ) -> bool:
    """Apply ARENA_MAX and MMAP_THRESHOLD (see the module docstring), except what `environ`
    sets for glibc itself; False where not glibc."""
    mallopt = _libc_function("mallopt", (ctypes.c_int, ctypes.c_int), ctypes.c_int)
    if mallopt is None:
        return False
    return all(mallopt(parameter, value) == 1 for parameter, (value, *names) in TUNED.items()
               if not set_by_operator(*names, environ))


def trim() -> bool:
    """Give the heap's free pages back to the system; False where not glibc."""
    malloc_trim = _libc_function("malloc_trim", (ctypes.c_size_t,), ctypes.c_int)
    if malloc_trim is None:
        return False
    malloc_trim(0)
    return True
