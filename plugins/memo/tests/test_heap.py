"""Freed heap memory given back while pages are written (plugins/memo/heap.py)."""

from plugins.memo import heap


def test_the_heap_is_trimmed_once_every_trim_every_written_files(monkeypatch):
    trims = []
    monkeypatch.setattr(heap, "_malloc_trim", lambda pad: trims.append(pad) or 1)
    writes = heap.HeapTrimmer(every=3)
    for n in range(7):
        writes(f"output/page-{n}.html", context={})
    assert trims == [0, 0]
    assert writes.before_writing(object()) is None  # get_writer: Pelican ignores what is no class
    assert trims == [0, 0, 0]


def test_without_glibc_nothing_is_trimmed(monkeypatch):
    monkeypatch.setattr(heap, "_malloc_trim", None)
    writes = heap.HeapTrimmer(every=1)
    writes("output/page.html", context={})  # no error, nothing to call


def test_malloc_trim_is_found_on_this_glibc_system_or_absent():
    """On Linux with glibc the function is there (the bench machine); elsewhere it is None."""
    import platform

    if platform.libc_ver()[0] == "glibc":
        assert heap._malloc_trim is not None
        assert heap._malloc_trim(0) in (0, 1)
