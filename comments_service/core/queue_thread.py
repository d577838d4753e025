"""One background thread per process working a queue kept in the database: the mail outbox
(notifications/sender.py) and the re-bake queue (baker.py). Flask-free.

Contract:
- `start()` runs the object's thread in the calling process, a no-op while it runs; a forked
  gunicorn worker that inherited the object starts its own (the object notices the new process
  id and makes fresh locks: a lock copied while held would never be released in the child).
- The subclass's `_run(stop)` loops until `stop` is set, waiting on `self._wake` between passes;
  `wake()` ends that wait (a request of this process has just queued work). A pass holds
  `self._busy`, so a pass run in the caller's thread never overlaps the thread's.
- `stop_thread(timeout)` stops it, waiting at most `timeout` seconds for the work in hand; the
  subclass's `close()` calls it, and every object still running is closed at interpreter exit.
"""

from __future__ import annotations

import atexit
import os
import threading
import weakref

#: Guards the switch to a new process's locks; a forked child gets a fresh one.
_process_lock = threading.Lock()


def _new_process_lock() -> None:
    global _process_lock
    _process_lock = threading.Lock()


os.register_at_fork(after_in_child=_new_process_lock)
#: The objects whose thread runs in this process.
_running: weakref.WeakSet[QueueThread] = weakref.WeakSet()


class QueueThread:
    """Subclasses set `thread_name`, implement `_run(stop)` and `close()`, and call
    `super().__init__()` once their own attributes are set."""

    thread_name = "queue"

    def __init__(self) -> None:
        self._pid = -1
        self._in_this_process()

    def _in_this_process(self) -> None:
        """Fresh locks and no thread when this object was inherited by a forked process."""
        with _process_lock:
            if self._pid == os.getpid():
                return
            self._busy = threading.Lock()
            self._starting = threading.Lock()
            self._wake = threading.Event()
            self._stop = threading.Event()
            self._thread: threading.Thread | None = None
            self._pid = os.getpid()

    def start(self) -> None:
        """Run this process's thread (no-op while it runs); cheap enough for every request."""
        thread = self._thread
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            return
        self._in_this_process()
        with self._starting:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stop,),
                                            name=self.thread_name, daemon=True)
            self._thread.start()
            _running.add(self)

    def wake(self) -> None:
        """Look at the queue now."""
        self._wake.set()

    def stop_thread(self, timeout: float) -> bool:
        """Stop the thread, waiting at most `timeout` seconds; False when it still runs then."""
        if self._pid != os.getpid():
            return True
        with self._starting:
            thread, self._thread = self._thread, None
            self._stop.set()
        _running.discard(self)
        self._wake.set()
        if thread is None or not thread.is_alive():
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _run(self, stop: threading.Event) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def running(kind: type) -> list:
    """The objects of `kind` whose thread runs in this process."""
    return [worker for worker in list(_running) if isinstance(worker, kind)]


@atexit.register
def _close_all() -> None:
    for worker in list(_running):
        worker.close()
