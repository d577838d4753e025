"""This worker's cache of serialised thread pages (GET /api/threads/<slug>/comments).

An entry is named by its thread's slug, the thread's generation (core/storage/threads.thread_state:
the pair (id, version); every write bumps the version) and the variant (the page's parameters).
The cache holds one generation per thread: putting a page of a newer generation drops every page
of the one held (a page of an older one, put late by a request that read the thread before a
write, is not kept; another id, a thread started again, counts as newer), so a page can never be
served after a change, and a thread under edits holds the pages of
its current generation only (kept until the byte bound pushed them out, dead pages of older
generations once filled every worker's whole cache). A page read while a write commits may be
newer than its generation says, never older. Bounded by the bytes of the bodies it holds, least
recently used out first; PAGE_CACHE_BYTES = 0 turns it off.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable


class PageCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.held_bytes = 0
        self._pages: OrderedDict[tuple[str, Hashable], bytes] = OrderedDict()
        #: slug -> (generation held, its variants held)
        self._threads: dict[str, tuple[Hashable, set[Hashable]]] = {}
        self._lock = threading.Lock()

    def get(self, slug: str, generation: tuple[int, int], variant: Hashable) -> bytes | None:
        """The page, if this generation of the thread is the one held and the variant is in it."""
        with self._lock:
            held = self._threads.get(slug)
            if held is None or held[0] != generation:
                return None
            body = self._pages.get((slug, variant))
            if body is not None:
                self._pages.move_to_end((slug, variant))
            return body

    def put(self, slug: str, generation: tuple[int, int], variant: Hashable, body: bytes) -> None:
        """Keep the page; a newer generation than the one held replaces it (and all its pages)."""
        if len(body) > self.max_bytes:
            return
        with self._lock:
            held = self._threads.get(slug)
            if held is not None and _older(generation, held[0]):
                return
            if held is not None and held[0] != generation:
                for old in held[1]:
                    self.held_bytes -= len(self._pages.pop((slug, old)))
                held = None
            if held is None:
                held = self._threads[slug] = (generation, set())
            previous = self._pages.pop((slug, variant), None)
            self.held_bytes += len(body) - (len(previous) if previous is not None else 0)
            self._pages[(slug, variant)] = body
            held[1].add(variant)
            while self.held_bytes > self.max_bytes:
                (evicted_slug, evicted_variant), evicted = self._pages.popitem(last=False)
                self.held_bytes -= len(evicted)
                variants = self._threads[evicted_slug][1]
                variants.discard(evicted_variant)
                if not variants:
                    del self._threads[evicted_slug]


def _older(generation: tuple[int, int], than: tuple[int, int]) -> bool:
    """Whether `generation` comes before `than`: the same thread row (id), a lower version."""
    return generation[0] == than[0] and generation[1] < than[1]
