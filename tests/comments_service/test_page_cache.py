"""The per-worker cache of serialised thread pages: one generation per thread, bounded by bytes,
least recently used out."""

from comments_service.page_cache import PageCache


def test_keeps_what_fits_and_evicts_the_least_recently_used():
    cache = PageCache(max_bytes=10)
    cache.put("a", (1, 1), "", b"aaaa")
    cache.put("b", (1, 1), "", b"bbbb")
    assert cache.get("a", (1, 1), "") == b"aaaa"  # "a" is now the most recently used
    cache.put("c", (1, 1), "", b"cccc")  # 12 bytes > 10: "b" goes
    assert (cache.get("a", (1, 1), ""), cache.get("b", (1, 1), ""), cache.get("c", (1, 1), "")) == (
        b"aaaa", None, b"cccc")


def test_replacing_a_key_counts_its_new_size_only():
    cache = PageCache(max_bytes=10)
    cache.put("a", (1, 1), "", b"aaaaaa")
    cache.put("a", (1, 1), "", b"aa")
    cache.put("b", (1, 1), "", b"bbbbbbbb")  # 2 + 8 = 10 fits
    assert (cache.get("a", (1, 1), ""), cache.get("b", (1, 1), "")) == (b"aa", b"bbbbbbbb")


def test_a_body_larger_than_the_cache_is_not_kept_and_zero_turns_it_off():
    cache = PageCache(max_bytes=3)
    cache.put("big", (1, 1), "", b"four")
    assert cache.get("big", (1, 1), "") is None
    off = PageCache(max_bytes=0)
    off.put("a", (1, 1), "", b"x")
    assert off.get("a", (1, 1), "") is None


def test_a_new_generation_of_a_thread_frees_every_page_of_the_old_one():
    """Pages of an older generation can never be served again: kept until the byte bound pushed
    them out, a thread under edits filled each worker's whole cache with dead pages (issue 16:
    150 MiB workers after the 1,000-comment part)."""
    cache = PageCache(max_bytes=100)
    cache.put("t", (1, 1), "whole", b"x" * 30)
    cache.put("t", (1, 1), "page", b"y" * 30)
    cache.put("other", (1, 1), "whole", b"z" * 10)
    cache.put("t", (1, 2), "whole", b"w" * 30)
    assert cache.get("t", (1, 1), "whole") is None and cache.get("t", (1, 1), "page") is None
    assert cache.get("t", (1, 2), "whole") == b"w" * 30
    assert cache.get("other", (1, 1), "whole") == b"z" * 10
    assert cache.held_bytes == 40


def test_a_page_put_late_by_an_older_reader_is_never_served_for_the_newer_generation():
    """A request that read the thread before a write committed may put its page after a newer
    one: it is dropped, and the newer page stays (each write would otherwise cost one more miss
    per request in flight)."""
    cache = PageCache(max_bytes=100)
    cache.put("t", (7, 2), "whole", b"new")
    cache.put("t", (7, 1), "whole", b"old")
    assert cache.get("t", (7, 2), "whole") == b"new"  # not displaced: no extra miss per write
    assert cache.get("t", (7, 1), "whole") is None
    assert cache.held_bytes == 3
    cache.put("t", (3, 1), "whole", b"again")  # the thread started again: a new row
    assert cache.get("t", (3, 1), "whole") == b"again" and cache.get("t", (7, 2), "whole") is None
