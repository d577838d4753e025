"""Freed heap memory given back while pages are written (plugins/memo/heap.py; the trim itself,
core/malloc.trim, is checked against glibc in tests/comments_service/core/test_malloc.py)."""

from comments_service.core import malloc
from plugins.memo import heap


def test_the_heap_is_trimmed_once_every_trim_every_written_files(monkeypatch):
    trims = []
    monkeypatch.setattr(malloc, "trim", lambda: trims.append(1) or True)
    writes = heap.HeapTrimmer(every=3)
    for n in range(7):
        writes(f"output/page-{n}.html", context={})
    assert len(trims) == 2
    assert writes.before_writing(object()) is None  # get_writer: Pelican ignores what is no class
    assert len(trims) == 3
