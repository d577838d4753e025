"""Comments from Isso, Disqus, WordPress and Remark42, imported beside the comments the database
already holds. No Flask here: the import command (transfer/cli.py) calls `stage` then, inside
its write transaction, `write_staged`; docs/migration.md documents every field's mapping.

- items.py: what a reader yields (Thread, Foreign, Skipped, Invalid) and SourceRejected;
- isso.py, disqus.py, wordpress.py, remark42.py: one streaming reader per source, each
  `read(path, on_read)` with a DESCRIPTION of the file it expects; xml.py is the streaming,
  defused XML reader two of them share;
- common.py: slugs from URLs, times, the one conversion of a comment into stored values;
- staging.py (+ ordering.py): the whole source checked in a scratch file, then put in order;
- store.py: the staged comments written into the database, with their source ids.

Why `flask --app comments_service import --from SOURCE FILE` and not one command per source: an
import is the same operation whatever the source (read, check everything, refuse or write all
in one transaction, same progress and messages); only the reading differs.

Ids: a source's own ids are not kept (Disqus ids do not even fit our integer column): new
comments get ids above every id the database has given, in the order they were posted, a reply
always after its parent. Each source id is recorded, so importing the same file twice writes
nothing the second time, and a newer export of the same site adds only its new comments.

Strict or forgiving: by default the first item that cannot be imported refuses the whole file,
naming it (and its line); with skip_invalid every such item is listed and the rest imported.
Hostile input: XML is parsed by defusedxml with no DTD allowed (no "billion laughs", no local
file reads), every source is streamed, and the checks run on a scratch SQLite file, so memory
grows by a few bytes per comment, not with the comments' text.
"""

from collections.abc import Callable, Mapping
from pathlib import Path

from . import disqus, isso, remark42, wordpress
from .items import SourceRejected
from .staging import Staging
from .store import write_staged

__all__ = ["SOURCES", "SourceRejected", "Staging", "stage", "write_staged"]

_READERS = {"isso": isso, "disqus": disqus, "wordpress": wordpress, "remark42": remark42}
#: The sources `stage` reads, and what their files are.
SOURCES = {source: reader.DESCRIPTION for source, reader in _READERS.items()}


def stage(source: str, path: Path, directory: Path, *, ip_salt: str, skip_invalid: bool,
          imported: Mapping[str, int | None],
          on_read: Callable[[int], None] = lambda size: None) -> Staging:
    """Read and check `path` as an export of `source` (one of SOURCES) into a Staging kept in
    `directory` (see staging.py): `imported` are the source's ids imported before. `on_read(n)`
    is told each time n more bytes of the file have been read. IP addresses are stored as
    hash_ip(ip_salt, ip). The caller closes the Staging."""
    staging = Staging(directory, ip_salt=ip_salt, strict=not skip_invalid, imported=imported)
    try:
        for item in _READERS[source].read(path, on_read):
            staging.add(item)
        if not staging.read:
            raise SourceRejected(f"{path.name}: no comments found; is it {SOURCES[source]}?")
        staging.finish()
    except BaseException:
        staging.close()
        raise
    return staging
