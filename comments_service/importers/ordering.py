"""The order imported comments are numbered in: the order they were posted, except that a reply
always comes after its parent (clocks and sources are not always consistent, and our ids must
grow down every thread: exports list comments by id and check that parents come first).

Contract: `order(db, invalidate)` reads the staging database's new comments (items with status
'new' and their `links`, staging.py) by (created, position) and returns their positions in
that order, each reply moved to just after its parent when it was posted earlier. Comments
whose chain of parents never reaches a top-level comment (a loop) are passed to
`invalidate(pos, key, name, problem)` and left out. Memory: one set of source ids.
"""

import sqlite3
from collections import defaultdict
from collections.abc import Callable

_BATCH = 5000


def order(db: sqlite3.Connection, invalidate: Callable[[int, str, str, str], None]) -> list[int]:
    ranked: list[int] = []
    placed: set[str] = set()
    waiting: defaultdict[str, list[tuple[int, str]]] = defaultdict(list)  # parent -> replies

    def place(pos: int, key: str) -> None:
        stack = [(pos, key)]
        while stack:
            pos, key = stack.pop()
            ranked.append(pos)
            placed.add(key)
            stack.extend(reversed(waiting.pop(key, ())))

    comments = db.execute("""
        SELECT pos, key, parent_new FROM items LEFT JOIN links USING (pos)
        WHERE status = 'new' ORDER BY created, pos""")
    while batch := comments.fetchmany(_BATCH):
        for pos, key, parent in batch:
            if parent is None or parent in placed:
                place(pos, key)
            else:
                waiting[parent].append((pos, key))
    looping = sorted(pos for replies in waiting.values() for pos, _ in replies)
    for pos in looping:
        key, name = db.execute("SELECT key, name FROM items WHERE pos = ?", (pos,)).fetchone()
        invalidate(pos, key, name, "its chain of parents loops back to itself")
    return ranked
