"""Ids written explicitly (imports), on both backends. No Flask; the caller's transaction, which
must hold the write lock (`lock_tables`), or another writer could take the same ids.

Why: an import gives rows ids itself (an export's own ids, or ids above every id given so far);
PostgreSQL's sequences do not see explicit ids, and SQLite's AUTOINCREMENT counter
(sqlite_sequence) may be above max(id) after deletions: ids are never given twice.
"""

from sqlalchemy import Connection, Table, func, select, text


def lock_tables(conn: Connection, *tables: Table) -> None:
    """PostgreSQL: nothing may be written to `tables` until the transaction ends (SQLite's
    write transaction already holds the database's only write lock)."""
    if conn.dialect.name == "postgresql":
        names = ", ".join(table.name for table in tables)
        conn.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


def next_id(conn: Connection, table: Table) -> int:
    """An id above every id `table` has ever given."""
    largest = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    if conn.dialect.name == "postgresql":
        sequence = conn.execute(select(func.pg_get_serial_sequence(table.name, "id"))).scalar_one()
        given = conn.execute(text(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END "
                                  f"FROM {sequence}")).scalar_one()
    else:
        given = conn.execute(text("SELECT coalesce(max(seq), 0) FROM sqlite_sequence "
                                  "WHERE name = :name"), {"name": table.name}).scalar_one()
    return max(largest, given) + 1


def advance_ids(conn: Connection, *tables: Table) -> None:
    """Move PostgreSQL's sequences past the largest explicit id, so the next row gets a fresh
    one (SQLite takes max(id) + 1, and records explicit ids in sqlite_sequence, by itself)."""
    if conn.dialect.name == "postgresql":
        for table in tables:
            # setval is strict: with no rows (NULL) the sequence is left as it is
            largest = select(func.max(table.c.id)).scalar_subquery()
            conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"),
                                            largest)))
