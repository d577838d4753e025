"""The per-worker cache of serialised thread pages: bounded by bytes, least recently used out."""

from comments_service.page_cache import PageCache


def test_keeps_what_fits_and_evicts_the_least_recently_used():
    cache = PageCache(max_bytes=10)
    cache.put("a", b"aaaa")
    cache.put("b", b"bbbb")
    assert cache.get("a") == b"aaaa"  # "a" is now the most recently used
    cache.put("c", b"cccc")  # 12 bytes > 10: "b" goes
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"aaaa", None, b"cccc")


def test_replacing_a_key_counts_its_new_size_only():
    cache = PageCache(max_bytes=10)
    cache.put("a", b"aaaaaa")
    cache.put("a", b"aa")
    cache.put("b", b"bbbbbbbb")  # 2 + 8 = 10 fits
    assert (cache.get("a"), cache.get("b")) == (b"aa", b"bbbbbbbb")


def test_a_body_larger_than_the_cache_is_not_kept_and_zero_turns_it_off():
    cache = PageCache(max_bytes=3)
    cache.put("big", b"four")
    assert cache.get("big") is None
    off = PageCache(max_bytes=0)
    off.put("a", b"x")
    assert off.get("a") is None
