"""This worker's cache of serialised thread pages (GET /api/threads/<slug>/comments).

An entry is named by its thread's slug, the thread's generation (core/storage/threads.thread_state:
its id and version, which every write bumps) and the variant (the page's parameters). The cache
holds one generation per thread: putting a page of another generation drops every page of the one
held, so a page can never be served after a change, and a thread under edits holds the pages of
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

    def get(self, slug: str, generation: Hashable, variant: Hashable) -> bytes | None:
        """The page, if this generation of the thread is the one held and the variant is in it."""
        with self._lock:
            held = self._threads.get(slug)
            if held is None or held[0] != generation:
                return None
            body = self._pages.get((slug, variant))
            if body is not None:
                self._pages.move_to_end((slug, variant))
            return body

    def put(self, slug: str, generation: Hashable, variant: Hashable, body: bytes) -> None:
        """Keep the page; a generation other than the one held replaces it (and all its pages)."""
        if len(body) > self.max_bytes:
            return
        with self._lock:
            held = self._threads.get(slug)
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
