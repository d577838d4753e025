"""Fixed-window counts kept in a shared storage (Redis, so every worker and host counts the same
client together), taken from it in leases rather than one round trip per hit.

Counting every read in Redis cost a round trip per GET (issue 16 item 1: with the limiter on, a
cached thread page served at 47% of a hello-world's rate against 67% with it off). A worker that
needs a hit for a key takes a lease of `size` hits: one INCRBY of the shared counter, which
grants what is left of the window's amount, never more. Later hits on that key in this worker
use the lease up without asking the storage again, for at most LEASE_SECONDS.

What it trades, bounded and in the direction that is safe:
- the shared count never passes the limit's amount through a lease: a client is never allowed
  more than the limit in one window, except that a lease taken just before the shared window
  ends may be used for LEASE_SECONDS after it (at most `size` - 1 hits per worker);
- hits leased and not used before the lease ends stay counted, so a busy client may be refused
  a little early: the lease doubles only while leases are used up before they end, and falls back
  to one hit (an exact count, a round trip each) as soon as one is not, so the unused part is at
  most half a lease per worker, and a client making a request now and then is counted exactly;
- a refusal is remembered for LEASE_SECONDS, so a client hammering past its limit costs no round
  trips; its window may have started again meanwhile (it is refused up to LEASE_SECONDS longer).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

#: How long a worker uses a lease (and remembers a refusal) before asking the storage again.
LEASE_SECONDS = 1.0
#: The largest lease: a limit's amount over this many is never leased more at once.
LEASES_PER_WINDOW = 50
MAX_LEASE = 16
#: Leases kept per worker before the ended ones are dropped (one per active client and endpoint).
MAX_KEPT = 10_000


@dataclass
class _Lease:
    ends: float
    left: int  # hits still to use; 0 with `refused` set: the window was full when last asked
    size: int  # hits asked for when it was taken
    refused: bool = False
    reset_at: float | None = None  # when refused: the shared window's end (time.time())


class LeasedCounts:
    """Hits of fixed-window limits (`limits` RateLimitItem) counted in `storage` (a `limits`
    storage: RedisStorage, MemoryStorage...) in leases; thread-safe, one per worker."""

    def __init__(self, storage, clock=time.monotonic):
        self.storage = storage
        self._clock = clock
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()

    @staticmethod
    def largest_lease(item) -> int:
        """The most hits of `item` one lease holds: 1 (counted exactly) for small amounts."""
        return max(1, min(MAX_LEASE, item.amount // LEASES_PER_WINDOW))

    def hit(self, item, *identifiers: str) -> bool:
        """Count one hit of `item` for `identifiers`; False when the window's amount is used up.
        Storage errors propagate (the caller falls back)."""
        key = item.key_for(*identifiers)
        now = self._clock()
        with self._lock:
            lease = self._leases.get(key)
            if lease is not None and now < lease.ends:
                if lease.left:
                    lease.left -= 1
                    return True
                if lease.refused:
                    return False
            # The next lease doubles only when this one was used up before it ended.
            size = (min(self.largest_lease(item), 2 * lease.size)
                    if lease is not None and now < lease.ends else 1)
        total = self.storage.incr(key, item.get_expiry(), amount=size)
        granted = max(0, min(size, item.amount - (total - size)))
        reset_at = None if granted else self.storage.get_expiry(key)
        with self._lock:
            if len(self._leases) >= MAX_KEPT:
                self._drop_ended(now)
            self._leases[key] = _Lease(ends=now + LEASE_SECONDS, left=max(0, granted - 1), size=size,
                                       refused=not granted, reset_at=reset_at)
        return granted > 0

    def reset_at(self, item, *identifiers: str) -> float:
        """When the window that refused the last hit ends (seconds since the epoch): for
        Retry-After, without a round trip while the refusal is remembered."""
        key = item.key_for(*identifiers)
        with self._lock:
            lease = self._leases.get(key)
        if lease is not None and lease.reset_at is not None:
            return lease.reset_at
        return self.storage.get_expiry(key)

    def _drop_ended(self, now: float) -> None:
        ended = [key for key, lease in self._leases.items() if lease.ends <= now]
        for key in ended or list(self._leases):  # all live: start again rather than grow
            del self._leases[key]
