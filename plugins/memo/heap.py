"""Freed memory given back to the system while the build writes its pages (issue 16, target 5:
build memory).

Writing pages frees more than it keeps: each article's HTML once its page is written
(release.py), its thread context (plugins/comments), every rendered page and its encoded bytes.
Those blocks are larger than Python's small-object allocator serves (512 bytes), so they come
from the C library's heap, and glibc gives heap memory back to the system only from the top of
the heap: blocks freed below stay resident while new small objects take fresh memory elsewhere.
At 10,000 articles the build's resident memory grew ~22 MiB while it wrote the article pages,
though the Python objects it held shrank (tracemalloc). glibc's `malloc_trim(0)` returns every
whole free page of the heap to the system.

Contract: `HeapTrimmer` (on `content_written`) calls `malloc_trim(0)` once every `every` files
written (TRIM_EVERY: ~25 calls at 10,000 articles, a few ms each), and `before_writing` (on
`get_writer`, which Pelican sends once every file is read, before writing any) once, for what
reading and the plugins' preparations freed; where the C library has no
`malloc_trim` (macOS, musl) it does nothing (core/malloc.py, shared with the service's
gunicorn master, which tunes malloc). It changes no output, only how much memory the
process keeps resident.
"""

from __future__ import annotations

from comments_service.core import malloc

#: Files written between two trims.
TRIM_EVERY = 500


class HeapTrimmer:
    """`content_written` handler: trims the heap once every `every` files (module docstring)."""

    def __init__(self, every: int = TRIM_EVERY):
        self.every = every
        self.written = 0

    def __call__(self, path, context=None) -> None:
        self.written += 1
        if self.written % self.every == 0:
            trim()

    def before_writing(self, pelican) -> None:
        """`get_writer` handler: trims, and names no writer (Pelican keeps only classes)."""
        trim()


def trim() -> None:
    """core/malloc.trim: does nothing where the C library is not glibc."""
    malloc.trim()
