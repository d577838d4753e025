"""The documents and commands of the export and import tests: a small hand-written document in
the documented format, and the commands run as an operator would."""

import copy
import json

from sqlalchemy import func, select

from comments_service.core.storage.tables import (comments, confirmed_addresses,
                                                  imported_comments, moderation_log,
                                                  reply_subscriptions, threads)
from comments_service.db import engine as app_engine

#: A small hand-written document in the documented format (two threads, a reply, an edit, votes,
#: an edit waiting for a moderator).
DOCUMENT = {
    "format": "newsroom-comments",
    "version": 3,
    "with_addresses": True,
    "threads": [{"slug": "first-article", "locked": False}, {"slug": "second-article", "locked": True}],
    "comments": [
        {"id": 3, "thread": "first-article", "parent": None, "state": "approved", "deleted": False,
         "author": "Ada", "email": "ada@example.org", "website": None, "text": "Hello",
         "html": "<p>Hello</p>", "ip_hash": "ab" * 32, "created": "2026-01-01T09:00:00.250000Z",
         "edited": None, "flags": None, "moderation_reason": None, "likes": 4, "dislikes": 1,
         "pending_text": "Hello *all*", "pending_html": "<p>Hello <em>all</em></p>",
         "pending_since": "2026-01-01T09:03:00.000001Z", "picked": True,
         "pick_note": "The clearest account", "kind": "comment", "about_reference": 2,
         "about_paragraph": None},
        {"id": 7, "thread": "first-article", "parent": 3, "state": "approved", "deleted": False,
         "author": "Bo", "email": None, "website": "https://bo.example", "text": "Hi *Ada*",
         "html": "<p>Hi <em>Ada</em></p>", "ip_hash": None, "created": "2026-01-01T10:00:00Z",
         "edited": "2026-01-01T10:05:00+00:00", "flags": None,
         "moderation_reason": "off topic", "likes": 0, "dislikes": 2147483647,
         "pending_text": None, "pending_html": None, "pending_since": None, "picked": False,
         "pick_note": None, "kind": "comment", "about_reference": None, "about_paragraph": None},
        {"id": 8, "thread": "second-article", "parent": None, "state": "pending", "deleted": False,
         "author": "Cy", "email": None, "website": None, "text": "Wait", "html": "<p>Wait</p>",
         "ip_hash": None, "created": "2026-01-02T08:00:00Z", "edited": None,
         "flags": "links first-comment", "moderation_reason": None, "likes": 0, "dislikes": 0,
         "pending_text": None, "pending_html": None, "pending_since": None, "picked": False,
         "pick_note": None, "kind": "correction", "about_reference": None, "about_paragraph": 4},
    ],
    "moderation_log": [
        {"id": 2, "at": "2026-01-01T11:00:00.500000Z", "actor": "ann", "action": "delete",
         "comment": 5, "thread": "first-article", "reason": "spam"},  # comment 5 is gone since
        {"id": 9, "at": "2026-01-02T08:30:00Z", "actor": "ann", "action": "lock", "comment": None,
         "thread": "second-article", "reason": None},
    ],
    "import_keys": [
        {"source": "disqus", "source_id": "9000000000000000001", "comment": 3},
        {"source": "disqus", "source_id": "9000000000000000002", "comment": None},
        {"source": "isso", "source_id": "7", "comment": 7},
    ],
    "reply_subscriptions": [
        {"id": 4, "comment": 3, "email": "ada@example.org", "confirmed": True,
         "created": "2026-01-01T09:00:00.250001Z"},
        {"id": 6, "comment": 8, "email": "cy@example.net", "confirmed": False,
         "created": "2026-01-02T08:00:00.000002Z"},
    ],
    "confirmed_addresses": [
        {"email": "Ada@Example.org", "confirmed": "2026-01-01T12:00:00.123456Z"},
        {"email": "ada@example.org", "confirmed": "2026-01-01T11:00:00Z"},
    ],
}
#: The comment fields each version added (absent from the versions before it).
ADDED_FIELDS = {2: ("flags", "moderation_reason"),
                3: ("likes", "dislikes", "pending_text", "pending_html", "pending_since")}
#: The top-level keys each version added.
ADDED_KEYS = {3: ("with_addresses", "moderation_log", "import_keys", "reply_subscriptions",
                  "confirmed_addresses")}


def older(version: int) -> dict:
    """DOCUMENT as a file of an older `version` would hold it: without what later ones added."""
    document = copy.deepcopy(DOCUMENT) | {"version": version}
    for added in range(version + 1, 4):
        for key in ADDED_KEYS.get(added, ()):
            del document[key]
        for comment in document["comments"]:
            for field in ADDED_FIELDS[added]:
                del comment[field]
    return document


def run(app, *args):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args])


def export(app, path, *options):
    result = run(app, "export", path, *options)
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text(encoding="utf-8"))


def import_file(app, document, path):
    path.write_text(json.dumps(document), encoding="utf-8")
    return run(app, "import", path)


#: The tables an import writes, in the order stored_counts counts their rows.
WRITTEN = (threads, comments, moderation_log, imported_comments, reply_subscriptions,
           confirmed_addresses)


def stored_counts(app) -> tuple[int, ...]:
    """The rows of each table in WRITTEN."""
    with app.app_context(), app_engine().connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(table)).scalar_one()
                     for table in WRITTEN)
