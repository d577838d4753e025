"""The order imported comments are numbered in: the order they were posted, except that a reply
always comes after its parent (clocks and sources are not always consistent, and our ids must
grow down every thread: exports list comments by id and check that parents come first).

Contract: `order(db, invalidate)` reads the staging database's new comments (items with status
'new' and their `links`, staging.py) by (created, position) and returns their positions in
that order, each reply moved to just after its parent when it was posted earlier. Comments
whose chain of parents never reaches a top-level comment (a loop) are passed to
`invalidate(pos, key, name, problem)` and left out. Memory: about nine bytes per comment (a
flag and a position), plus the replies that came before their parent.
"""

import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Callable

_BATCH = 5000


def order(db: sqlite3.Connection, invalidate: Callable[[int, str, str, str], None]) -> array:
    size = db.execute("SELECT coalesce(max(pos), 0) + 1 FROM items").fetchone()[0]
    ranked = array("q")
    placed = bytearray(size)  # by position
    waiting: defaultdict[int, list[int]] = defaultdict(list)  # parent -> replies posted earlier

    def place(pos: int) -> None:
        stack = [pos]
        while stack:
            pos = stack.pop()
            ranked.append(pos)
            placed[pos] = 1
            stack.extend(reversed(waiting.pop(pos, ())))

    comments = db.execute("""
        SELECT pos, parent_pos FROM items LEFT JOIN links USING (pos)
        WHERE status = 'new' ORDER BY created, pos""")
    while batch := comments.fetchmany(_BATCH):
        for pos, parent in batch:
            if parent is None or placed[parent]:
                place(pos)
            else:
                waiting[parent].append(pos)
    for pos in sorted(pos for replies in waiting.values() for pos in replies):
        key, name = db.execute("SELECT key, name FROM items WHERE pos = ?", (pos,)).fetchone()
        invalidate(pos, key, name, "its chain of parents loops back to itself")
    return ranked
