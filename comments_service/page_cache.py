"""This worker's cache of serialised thread pages (GET /api/threads/<slug>/comments).

Keys name the thread's version (core/storage/threads.thread_state), which every write bumps, so an entry can
never be served after a change: the next read asks for a new key and the old entry ages out.
A page read while a write commits may be newer than its key says, never older. Bounded by the
bytes of the bodies it holds, least recently used out first; PAGE_CACHE_BYTES = 0 turns it off.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable


class PageCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            previous = self._pages.pop(key, None)
            self._bytes += len(body) - (len(previous) if previous is not None else 0)
            self._pages[key] = body
            while self._bytes > self.max_bytes:
                _, evicted = self._pages.popitem(last=False)
                self._bytes -= len(evicted)
