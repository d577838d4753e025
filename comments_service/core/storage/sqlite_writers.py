"""A queue for the write transactions on one SQLite file, shared by every thread and process.

SQLite lets one writer in at a time. A writer that finds the file locked waits in SQLite's busy
handler, which polls with sleeps of 1, 2, 5, 10, 15, 20, 25... ms: with two gunicorn workers
posting at once, those sleeps are most of a POST's tail latency. Here a writer instead waits
for its turn in the kernel (`flock` on `<database>-writers.lock`) and is woken the moment the
previous writer's connection goes back to the pool. The turn is taken just before
BEGIN IMMEDIATE (database.py) and given back at pool check-in, so the commit is inside it.

Threads of one process first queue on an in-process lock; one that has waited BUSY_TIMEOUT
seconds (a connection of the same thread holds the turn, say) goes on without the queue, and
SQLite's own busy handling applies, as it would without this module. A process that dies
releases its turn with its file descriptors.
"""

import fcntl
import os
import threading
from typing import Any

#: Seconds a thread waits for the in-process lock; the same as the busy_timeout pragma.
BUSY_TIMEOUT = 5.0
_TURN = "comments_writer_turn"


class WriterQueue:
    """The queue of one SQLite database file."""

    def __init__(self, database_path: str):
        self.lock_path = f"{database_path}-writers.lock"
        self._in_process = threading.Lock()

    def take_turn(self, record_info: dict[str, Any]) -> None:
        """Wait for this connection's turn (no-op when it has it already)."""
        if _TURN in record_info:
            return
        if not self._in_process.acquire(timeout=BUSY_TIMEOUT):
            return
        try:
            descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            except BaseException:
                os.close(descriptor)
                raise
        except BaseException:
            self._in_process.release()
            raise
        record_info[_TURN] = descriptor

    def give_turn_back(self, record_info: dict[str, Any]) -> None:
        """End this connection's turn, if it has one (closing the descriptor drops the flock)."""
        descriptor = record_info.pop(_TURN, None)
        if descriptor is not None:
            os.close(descriptor)
            self._in_process.release()
