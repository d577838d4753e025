"""Comments from Isso, Disqus and WordPress, as the threads and comments of our own export document
(transfer/comments-export.schema.json). No Flask here: `convert` reads a source and returns rows
that the import command (transfer/) checks and writes exactly like one of its own exports, in
one transaction. The mapping of every field is documented in docs/migration.md.

- common.py: the shape every reader produces (Foreign), SourceRejected, and the one conversion
  into export rows (ids, parents, normalised authors, emails, websites and times);
- xml.py: the streaming, defused XML reader that disqus.py and wordpress.py share;
- isso.py, disqus.py, wordpress.py: one reader per source, each `read(path, on_read) -> Read`
  with a DESCRIPTION of the file it expects.

Why `flask --app comments_service import --from isso|disqus|wordpress FILE` and not one command
per source: an import is the same operation whatever the source (read, check everything, refuse
or write all in one transaction, same empty-database rule, same progress and messages); only the
reading differs. One command with an option keeps a single documented entry point and a single
write path, where separate commands would repeat the options and the error handling.

Ids: a source's own ids (Disqus ids do not even fit our integer column) are not kept. Comments are
numbered 1, 2, 3... in the order they were posted (a reply always after its parent), so the
target database must be empty, as for any import: transfer/store.py refuses a database that
already holds threads or comments, and says so. Import once, before the service takes comments.

Hostile input: XML is parsed by defusedxml (entity declarations and external references are
refused, so no "billion laughs" and no local file reads), as a stream: only one Disqus post or
WordPress item is held as a tree at a time. Every problem raises SourceRejected naming the item
(and its line in the file when the XML parser gives one).
"""

from collections.abc import Callable
from pathlib import Path

from . import disqus, isso, wordpress
from .common import Converted, SourceRejected, as_export

__all__ = ["SOURCES", "Converted", "SourceRejected", "convert"]

_READERS = {"isso": isso, "disqus": disqus, "wordpress": wordpress}
#: The sources `convert` reads, and what their files are.
SOURCES = {source: reader.DESCRIPTION for source, reader in _READERS.items()}


def convert(source: str, path: Path, *, ip_salt: str,
            on_read: Callable[[int], None] = lambda size: None) -> Converted:
    """Read `path` as an export of `source` (one of SOURCES). `on_read(n)` is told each time n
    more bytes of the file have been read. IP addresses are stored as hash_ip(ip_salt, ip)."""
    read = _READERS[source].read(path, on_read)
    if not read.comments:
        raise SourceRejected(f"{path.name}: no comments found; is it {SOURCES[source]}?")
    return as_export(read, ip_salt)
