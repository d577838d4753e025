"""The re-bake queue's baker: takes the threads the writes queued (core/storage/rebake_queue.py)
and re-bakes their static pages with `rebake.bake_thread`, off the request path.

Contract:
- One baker per app, where the static root is (SITE_DIR). `start()` runs its thread in the
  calling process (a forked gunicorn worker starts its own: the object notices the new process
  id); the thread bakes what is due, then sleeps until the next row is due, `wake()` (a request of
  this process queued a bake) or REBAKE_POLL_SECONDS (rows other processes or hosts queued),
  whichever comes first. `flask rebake-worker` runs `run_forever()` in the foreground instead.
- Each claim is committed before the bake, so no database connection or lock is held while
  rendering; the bake itself runs under the host's re-bake lock (core/files.exclusive_lock), so
  bakers of several workers never write one page at once. Coalescing: however many writes were
  queued for a thread, one bake reads the thread as stored now and covers them all.
- A bake that fails (an unwritable site folder, say) is logged and stays in the queue, retried
  after 1 s, then twice as long each time up to REBAKE_RETRY_MAX_SECONDS; the comment it was
  for is committed already and unaffected. A killed baker's lease runs out after
  REBAKE_LEASE_SECONDS and the next baker takes the row.
- A queued bake is due REBAKE_DELAY_SECONDS after the write (enqueue's `delay`); while one is
  due soon the thread sleeps until then, not woken by every write, so a stream of posts to a
  thread costs one bake per delay, not one per post.
- Bakes take at most BAKE_SHARE of a core on the host: after a bake that cost d seconds of
  the thread's CPU time, the bakers of every worker on the host (SharedRest, in the instance
  folder) rest d * (1 / BAKE_SHARE - 1) before one claims the next one due (a cheap bake rests
  less than REBAKE_DELAY_SECONDS, so only a costly page, or a storm over many threads, is
  slowed; the page then lags by at most nine times its bake's CPU time, never indefinitely, and
  no row is skipped). The bake competes with this worker's requests for
  the CPU and the GIL: a bake in the middle of a POST stretches it, and on SQLite every other
  POST waits for that one.
- `drain()` bakes what is due now in the caller's thread (`rebake-worker --once`, tests; give
  `ahead` to include the bakes still waiting for more writes); it never runs at the same time as
  this object's thread.
"""

import fcntl
import logging
import os
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from .core.queue_thread import QueueThread, running
from .core.storage import rebake_queue
from .core.storage.database import connect
from .core.storage.rebake_queue import Claim
from .core.times import utcnow

log = logging.getLogger(__name__)
_MIN_WAIT = 0.05
_RETRY_BASE_SECONDS = 1.0
#: The most of a core the bakers of a host take, over time (see the contract above).
BAKE_SHARE = 0.1
#: The longest rest: a bake costing more than MAX_REST_SECONDS * BAKE_SHARE of CPU is not paced
#: further, and a rest read from another clock (one that jumped back) ends at once.
MAX_REST_SECONDS = 30.0
_REST_WIDTH = 24


class SharedRest:
    """When the bakers of this host may bake next: a time on `clock`'s scale (time.time, the same
    in every process) kept in a file every worker's baker reads and extends. Best effort: a file
    that cannot be read means no rest, one that cannot be written is logged and ignored (each
    baker then rests on its own)."""

    def __init__(self, path: Path):
        self.path = path

    def remaining(self, now: float) -> float:
        try:
            until = float(self.path.read_bytes() or 0)
        except (OSError, ValueError):
            return 0.0
        left = until - now
        return left if 0 < left <= MAX_REST_SECONDS else 0.0

    def extend(self, now: float, seconds: float) -> None:
        """Rest `seconds` more, after whatever rest is still running (one bake after another on
        the host add up); written in place at a fixed width, so a reader never sees it empty."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                start = now + self.remaining(now)
                until = start + min(seconds, MAX_REST_SECONDS - (start - now))
                os.pwrite(fd, f"{until:{_REST_WIDTH}.6f}".encode(), 0)
            finally:
                os.close(fd)
        except OSError as error:
            log.warning("re-bake: the shared rest %s could not be written (%s); pacing per worker",
                        self.path, error)


class Baker(QueueThread):
    """Bakes the queued threads of `app`'s database into SITE_DIR (through `bake`, a function of
    the app and a slug that raises when the page could not be written)."""

    thread_name = "comments-rebake"

    def __init__(self, app, bake):
        config = app.config
        self.app = app
        self.bake = bake
        self.poll_seconds = float(config["REBAKE_POLL_SECONDS"])
        self.delay_seconds = float(config["REBAKE_DELAY_SECONDS"])
        self.lease_seconds = float(config["REBAKE_LEASE_SECONDS"])
        self.retry_max_seconds = float(config["REBAKE_RETRY_MAX_SECONDS"])
        self.clock = time.time  # when the rest ends: the same in every process of the host
        self.cpu_clock = time.thread_time  # what a bake cost (its thread's CPU time)
        self.rest = SharedRest(Path(app.instance_path) / "rebake.rest")
        self._rest_until = 0.0  # this baker's own, should the shared one not be writable
        super().__init__()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the thread, waiting at most `timeout` seconds for the bake in hand."""
        self.stop_thread(timeout)

    def _run(self, stop: threading.Event) -> None:
        self.run_forever(stop)

    def drain(self, stop: threading.Event | None = None, ahead: float = 0.0,
              pace: bool = False) -> tuple[int, int]:
        """Bake one due thread after another until none is due or `stop` is set; (baked, failed).
        `ahead`: also those due within that many seconds (waiting to coalesce more writes).
        `pace` (the thread's loop): rest between bakes so they take at most BAKE_SHARE of a core."""
        baked = failed = 0
        with self._busy:
            while stop is None or not stop.is_set():
                if pace and stop is not None and self.rest_seconds() > 0:
                    if not self._due_within(ahead):
                        break  # nothing to bake: the rest runs on while the thread waits anyway
                    stop.wait(self.rest_seconds())
                    continue
                claim = self._write(rebake_queue.claim_due, self.lease_seconds,
                                    utcnow() + timedelta(seconds=ahead))
                if claim is None:
                    break
                started = self.cpu_clock()
                if self._bake(claim):
                    baked += 1
                else:
                    failed += 1
                took = self.cpu_clock() - started  # CPU, not waits for the disk or a busy machine
                rest = took * (1 / BAKE_SHARE - 1)
                self._rest_until = self.clock() + min(rest, MAX_REST_SECONDS)
                self.rest.extend(self.clock(), rest)
        return baked, failed

    def rest_seconds(self) -> float:
        """How long the thread still rests after the host's last bake (0: it may bake now)."""
        now = self.clock()
        return max(0.0, self._rest_until - now, self.rest.remaining(now))

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            try:
                self.drain(stop, pace=True)
                wait = self._seconds_until_due()
            except Exception:  # a database that does not answer: the rows wait, nothing is lost
                log.exception("re-bake: the queue could not be read or written; trying again in %g s",
                              self.poll_seconds)
                wait = self.poll_seconds
            if wait < self.poll_seconds:
                stop.wait(wait)  # a bake is due soon: the writes waking us meanwhile join it
            else:
                self._wake.wait(wait)

    def pending(self) -> list[rebake_queue.QueueRow]:
        with connect(self._engine()) as conn:
            return rebake_queue.pending(conn)

    def _bake(self, claim: Claim) -> bool:
        try:
            self.bake(self.app, claim.slug)
        except Exception as error:  # noqa: BLE001 - every failure is kept in the queue and logged
            delay = min(_RETRY_BASE_SECONDS * 2 ** min(claim.failures, 30), self.retry_max_seconds)
            failures = self._write(rebake_queue.record_failure, claim, f"{type(error).__name__}: {error}",
                                   retry_at=utcnow() + timedelta(seconds=delay))
            log.error("re-bake of %s failed (%d in a row); it stays queued, next attempt in %g s",
                      claim.slug, failures, delay, exc_info=error)
            return False
        self._write(rebake_queue.record_baked, claim)
        return True

    def _due_within(self, ahead: float) -> bool:
        with connect(self._engine()) as conn:
            due = rebake_queue.next_due_at(conn)
        return due is not None and due <= utcnow() + timedelta(seconds=ahead)

    def _seconds_until_due(self) -> float:
        with connect(self._engine()) as conn:
            due = rebake_queue.next_due_at(conn)
        if due is None:
            return self.poll_seconds
        return max(_MIN_WAIT, min(self.poll_seconds, (due - utcnow()).total_seconds()))

    def _engine(self):
        from . import db

        with self.app.app_context():
            return db.engine()

    def _write(self, function, *args, **kwargs) -> Any:
        """`function(conn, ...)` in a write transaction of its own, committed."""
        with connect(self._engine(), write=True) as conn:
            result = function(conn, *args, **kwargs)
            conn.commit()
        return result


def close_all() -> None:
    """Stop every baker running in this process (tests after each test; at exit, queue_thread)."""
    for baker in running(Baker):
        baker.close()
