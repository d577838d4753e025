"""The per-request rate limit: READ_RATE_LIMIT on reads, WRITE_RATE_LIMIT on writes, per client
address and endpoint, for every endpoint but those of blueprints with limits of their own.

Flask-Limiter did this as its default limit, and spent more Python on finding which limits apply
than the count itself costs (issue 16: ~0.3 ms a request, with a storage round trip on top). Here
the limit is parsed once, the count is one call of the `limits` library (Flask-Limiter's own,
in Flask-Limiter's storage, with its strategy), and Flask-Limiter keeps the blueprints that name their
own limits (admin, subscriptions, the reactions preview: security.limit_blueprint), so every
request is counted by exactly one of the two.

Reads are counted in the shared storage in leases (leased_counts.py: one round trip per lease
of up to 16 hits, not per hit) when the strategy is the fixed window; writes, one round trip
each, exactly.

When the storage does not answer, this worker counts in its own memory (logged once), and tries
the storage again every RECHECK_SECONDS; RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=false makes such a
request fail instead, as Flask-Limiter's does.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, g, request
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import STRATEGIES, FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from .leased_counts import LeasedCounts

log = logging.getLogger(__name__)

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Seconds between tries of a storage that stopped answering.
RECHECK_SECONDS = 5.0
#: g key of the refused window's reset time (security.py turns it into Retry-After).
RESET_AT = "rate_limit_reset_at"


class RequestLimits:
    """One app's counter (one per app, so several apps in a process never share one)."""

    def __init__(self, app: Flask, storage):
        """`storage`: the limits storage to count in (Flask-Limiter's: one client, one pool)."""
        config = app.config
        self.enabled = bool(config["RATELIMIT_ENABLED"])
        self.prefix = config["RATELIMIT_KEY_PREFIX"]
        self.read = parse_many(config["READ_RATE_LIMIT"])
        self.write = parse_many(config["WRITE_RATE_LIMIT"])
        strategy = STRATEGIES[config.get("RATELIMIT_STRATEGY", "fixed-window")]
        self.storage = storage
        self.shared = strategy(storage) if self.enabled else None
        self.leased = (LeasedCounts(storage)
                       if self.enabled and issubclass(strategy, FixedWindowRateLimiter) else None)
        self.fallback = (strategy(MemoryStorage())
                         if self.enabled and config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] else None)
        self.own_limits: set[str] = set()  # blueprints Flask-Limiter counts
        self._dead_since: float | None = None
        self._lock = threading.Lock()

    def counts(self) -> bool:
        """Whether this request is ours to count (False: Flask-Limiter's, or no endpoint)."""
        return bool(request.endpoint) and request.blueprint not in self.own_limits

    def check(self) -> None:
        """Count the request (before_request); 429 when one of its limits is used up."""
        if not self.enabled or not self.counts():
            return
        reading = request.method in _READ_METHODS
        limits = self.read if reading else self.write
        identity = (self.prefix, request.remote_addr or "", request.endpoint)
        strategy = self._strategy()
        counter = self.leased if reading and strategy is self.shared and self.leased else strategy
        try:
            refused = [item for item in limits if not counter.hit(item, *identity)]
        except Exception:
            if strategy is self.fallback or self.fallback is None:
                raise
            self._storage_failed()
            counter = self.fallback
            refused = [item for item in limits if not counter.hit(item, *identity)]
        if refused:
            g.setdefault(RESET_AT, max(self._reset_at(counter, item, identity) for item in refused))
            raise TooManyRequests()

    @staticmethod
    def _reset_at(counter, item, identity: tuple[str, ...]) -> float:
        if isinstance(counter, LeasedCounts):
            return counter.reset_at(item, *identity)
        return counter.get_window_stats(item, *identity).reset_time

    def _strategy(self):
        """The shared storage's strategy, or the fallback while that storage does not answer."""
        if self._dead_since is None:
            return self.shared
        with self._lock:
            if self._dead_since is not None and time.monotonic() - self._dead_since >= RECHECK_SECONDS:
                try:
                    answers = self.storage.check()
                except Exception:  # noqa: BLE001 - any failure means it still does not answer
                    answers = False
                if answers:
                    log.info("Rate limit storage recovered")
                    self._dead_since = None
                else:
                    self._dead_since = time.monotonic()
        return self.shared if self._dead_since is None else self.fallback

    def _storage_failed(self) -> None:
        with self._lock:
            if self._dead_since is None:
                # Flask-Limiter's words, which log alerts may already look for.
                log.warning("Rate limit storage unreachable - falling back to in-memory storage")
            self._dead_since = time.monotonic()
