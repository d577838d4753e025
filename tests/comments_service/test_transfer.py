"""Export and import (`flask --app comments_service export|import`): a populated SQLite database
is exported and imported into an empty one on each backend (SQLite -> SQLite, and SQLite ->
PostgreSQL with COMMENTS_TEST_POSTGRES_URL); bad files are refused with the offending item named
and nothing written. Imports from other systems (`import --from ...`): what the command adds to
the readers (the thread manifest check, the empty-database rule) here, the readers in importers/."""

import copy
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from comments_service import create_app, transfer
from comments_service.core.comment import DELETED_AUTHOR, PENDING, REJECTED
from comments_service.core.limits import (AUTHOR_MAX, EMAIL_MAX, FLAGS_MAX, ID_MAX, IP_HASH_MAX,
                                          REASON_MAX, SLUG_MAX, WEBSITE_MAX)
from comments_service.core.privacy import hash_ip
from comments_service.core.render import render
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage import threads as thread_store
from comments_service.core.storage.tables import comments, threads
from comments_service.core.times import utcnow
from comments_service.db import engine as app_engine

from .conftest import CommentsAPI
from .importers.sources import (DATA, assert_refused, exported, imported, isso_database,
                                run_import, variant)

#: A small hand-written document in the documented format (two threads, a reply, an edit).
DOCUMENT = {
    "format": "newsroom-comments",
    "version": 2,
    "threads": [{"slug": "first-article", "locked": False}, {"slug": "second-article", "locked": True}],
    "comments": [
        {"id": 3, "thread": "first-article", "parent": None, "state": "approved", "deleted": False,
         "author": "Ada", "email": "ada@example.org", "website": None, "text": "Hello",
         "html": "<p>Hello</p>", "ip_hash": "ab" * 32, "created": "2026-01-01T09:00:00.250000Z",
         "edited": None, "flags": None, "moderation_reason": None},
        {"id": 7, "thread": "first-article", "parent": 3, "state": "approved", "deleted": False,
         "author": "Bo", "email": None, "website": "https://bo.example", "text": "Hi *Ada*",
         "html": "<p>Hi <em>Ada</em></p>", "ip_hash": None, "created": "2026-01-01T10:00:00Z",
         "edited": "2026-01-01T10:05:00+00:00", "flags": None,
         "moderation_reason": "off topic"},
        {"id": 8, "thread": "second-article", "parent": None, "state": "pending", "deleted": False,
         "author": "Cy", "email": None, "website": None, "text": "Wait", "html": "<p>Wait</p>",
         "ip_hash": None, "created": "2026-01-02T08:00:00Z", "edited": None,
         "flags": "links first-comment", "moderation_reason": None},
    ],
}


@pytest.fixture
def database_url(any_database_url):
    """The import target (the `app` fixture) is empty, on each backend."""
    return any_database_url


@pytest.fixture
def make_app(app_config):
    """Build further apps on the same manifest with their own database; disposed afterwards."""
    apps = []

    def _make(url):
        apps.append(create_app(app_config | {"DATABASE_URL": url}))
        return apps[-1]

    yield _make
    for made in apps:
        with made.app_context():
            app_engine().dispose()


def add_comment(conn, slug, *, parent=None, state="approved", author="Ann", text="Hello there",
                email=None, website=None, address=None):
    return stored.create_comment(
        conn, slug=slug, parent=parent, author=author, email=email, website=website, text=text,
        html=render(text), ip_hash=hash_ip("salt", address), state=state).id


def populate(engine) -> None:
    """Every kind of stored data: replies three deep, an edit, a "[deleted]" placeholder, a gap
    in the ids, pending and rejected comments, a locked thread without comments, non-ASCII."""
    with database.connect(engine, write=True) as conn, conn.begin():
        top = add_comment(conn, "first-article", author="Zoë", email="zoe@example.org",
                          website="https://zoe.example", text="Grüße — *wow* 👋",
                          address="192.0.2.1")
        middle = add_comment(conn, "first-article", parent=top, address="2001:db8::1")
        add_comment(conn, "first-article", parent=middle, text="A [link](https://example.org)")
        stored.edit_comment(conn, top, text="Edited text", html=render("Edited text"))
        stored.delete_comment(conn, middle)  # has a reply: becomes a placeholder
        gap = add_comment(conn, "first-article")
        add_comment(conn, "second-article", state=PENDING, email="new@example.org")
        stored.reject_comment(conn, add_comment(conn, "second-article"))
        stored.delete_comment(conn, gap)
        thread_store.set_thread_locked(conn, "closed-article", True)
        conn.execute(comments.update().where(comments.c.state == PENDING).values(flags="links"))
        conn.execute(comments.update().where(comments.c.state == REJECTED)
                     .values(moderation_reason="Personal attack"))


@pytest.fixture
def source_app(make_app, tmp_path):
    source = make_app(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    with source.app_context():
        populate(app_engine())
    return source


def run(app, *args):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args])


def export(app, path):
    result = run(app, "export", path)
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text(encoding="utf-8"))


def import_file(app, document, path):
    path.write_text(json.dumps(document), encoding="utf-8")
    return run(app, "import", path)


def stored_counts(app) -> tuple[int, int]:
    with app.app_context(), app_engine().connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(table)).scalar_one()
                     for table in (threads, comments))


def test_export_holds_every_thread_and_comment_with_its_private_fields(source_app, tmp_path):
    document = export(source_app, tmp_path / "export.json")
    assert document["threads"] == [{"slug": "closed-article", "locked": True},
                                   {"slug": "first-article", "locked": False},
                                   {"slug": "second-article", "locked": False}]
    by_id = {comment["id"]: comment for comment in document["comments"]}
    assert sorted(by_id) == [1, 2, 3, 5, 6]
    assert by_id[1]["email"] == "zoe@example.org"
    assert by_id[1]["ip_hash"] == hash_ip("salt", "192.0.2.1")
    assert by_id[1]["text"] == "Edited text" and by_id[1]["edited"] is not None
    assert by_id[2]["deleted"] is True and by_id[2]["author"] == DELETED_AUTHOR
    assert by_id[3]["parent"] == 2
    assert [by_id[5]["state"], by_id[6]["state"]] == ["pending", "rejected"]
    assert [by_id[5]["flags"], by_id[6]["moderation_reason"]] == ["links", "Personal attack"]


def test_export_keeps_timestamps_to_the_microsecond(source_app, tmp_path):
    with source_app.app_context(), database.connect(app_engine(), write=True) as conn, conn.begin():
        conn.execute(comments.update().where(comments.c.id == 1).values(
            created=utcnow().replace(microsecond=123456)))
    created = export(source_app, tmp_path / "export.json")["comments"][0]["created"]
    assert created.endswith(".123456Z")


def test_export_then_import_into_an_empty_database_is_lossless(source_app, app, tmp_path):
    exported = export(source_app, tmp_path / "source.json")
    result = run(app, "import", tmp_path / "source.json")
    assert result.exit_code == 0, result.output
    assert "Imported 3 threads and 5 comments." in result.stdout
    assert "Importing comments" in result.stderr  # the progress bar
    assert export(app, tmp_path / "target.json") == exported


def test_imported_threads_read_the_same_and_take_new_comments(source_app, app, tmp_path):
    export(source_app, tmp_path / "source.json")
    assert run(app, "import", tmp_path / "source.json").exit_code == 0
    source_api, target_api = CommentsAPI(source_app.test_client()), CommentsAPI(app.test_client())
    assert target_api.thread("first-article") == source_api.thread("first-article")
    assert target_api.comment("first-article")["comment"]["id"] == 7  # the id sequence moved on


def test_a_hand_written_document_imports(app, tmp_path):
    result = import_file(app, DOCUMENT, tmp_path / "import.json")
    assert result.exit_code == 0, result.output
    expected = copy.deepcopy(DOCUMENT)
    expected["comments"][1]["edited"] = "2026-01-01T10:05:00Z"  # exports write UTC as Z
    assert export(app, tmp_path / "again.json") == expected


def test_a_version_1_document_imports_with_no_flags_or_reasons(app, tmp_path):
    version_1 = copy.deepcopy(DOCUMENT) | {"version": 1}
    for comment in version_1["comments"]:
        del comment["flags"], comment["moderation_reason"]
    result = import_file(app, version_1, tmp_path / "import.json")
    assert result.exit_code == 0, result.output
    exported = export(app, tmp_path / "again.json")
    assert exported["version"] == 2
    assert {(c["flags"], c["moderation_reason"]) for c in exported["comments"]} == {(None, None)}


def _set(path, value):
    """A change to DOCUMENT: put `value` at `path` (a list of keys and indexes)."""

    def change(document):
        *parents, last = path
        target = document
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def _drop_author(document):
    del document["comments"][1]["author"]


@pytest.mark.parametrize("change, named", [
    (_set(["version"], 3), ["version", "3 is not one of 1 or 2"]),
    (_drop_author, ["comments[1] (id 7)", '"author" is a required property']),
    (_set(["comments", 2, "state"], "spam"), ["comments[2] (id 8), field state"]),
    (_set(["comments", 0, "created"], "2026-02-30T09:00:00Z"), ["comments[0] (id 3), field created"]),
    (_set(["comments", 1, "id"], 3), ["comments[1] (id 3)", "the id is used twice"]),
    (_set(["comments", 2, "thread"], "missing"), ["comments[2] (id 8)", "'missing' is not listed"]),
    (_set(["comments", 0, "parent"], 7), ["comments[0] (id 3)", "parent 7 is not an earlier comment"]),
    (_set(["comments", 2, "parent"], 3), ["comments[2] (id 8)", "parent 3 belongs to another thread"]),
    (_set(["threads", 1, "slug"], "first-article"), ["threads[1] (slug 'first-article')", "twice"]),
], ids=["version", "missing-field", "bad-state", "bad-date", "duplicate-id", "unknown-thread",
        "later-parent", "cross-thread-parent", "duplicate-slug"])
def test_a_bad_document_is_refused_naming_the_item_and_nothing_is_written(app, tmp_path, change,
                                                                          named):
    document = copy.deepcopy(DOCUMENT)
    change(document)
    result = import_file(app, document, tmp_path / "bad.json")
    assert result.exit_code == 1
    for fragment in named:
        assert fragment in result.stderr
    assert "Nothing was imported." in result.stderr
    assert stored_counts(app) == (0, 0)


def test_a_truncated_file_is_refused(source_app, app, tmp_path):
    export(source_app, tmp_path / "source.json")
    whole = (tmp_path / "source.json").read_text(encoding="utf-8")
    (tmp_path / "partial.json").write_text(whole[: len(whole) // 2], encoding="utf-8")
    result = run(app, "import", tmp_path / "partial.json")
    assert result.exit_code == 1
    assert "partial.json is not a complete JSON file" in result.stderr
    assert stored_counts(app) == (0, 0)


def test_import_refuses_a_database_that_holds_comments(source_app, tmp_path):
    before = stored_counts(source_app)
    result = import_file(source_app, DOCUMENT, tmp_path / "import.json")
    assert result.exit_code == 1
    assert "already holds 3 threads and 5 comments" in result.stderr
    assert stored_counts(source_app) == before


def test_a_write_failing_halfway_leaves_the_database_untouched(make_app, tmp_path, monkeypatch):
    """The database itself refuses the last comment after earlier batches were written."""
    target = make_app(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    with target.app_context(), database.connect(app_engine(), write=True) as conn, conn.begin():
        conn.execute(text("CREATE TRIGGER refuse_8 BEFORE INSERT ON comments WHEN NEW.id = 8 "
                          "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))
    monkeypatch.setattr(transfer, "_CHUNK_SIZE", 1)
    result = import_file(target, DOCUMENT, tmp_path / "import.json")
    assert result.exit_code == 1
    assert "comments with ids 8–8 could not be stored: refused by the test" in result.stderr
    assert stored_counts(target) == (0, 0)


def test_check_document_converts_times_to_utc():
    checked = transfer.check_document(DOCUMENT)
    assert checked.comments[1]["edited"] - checked.comments[1]["created"] == timedelta(minutes=5)
    assert checked.comments[1]["created"].utcoffset() == timedelta(0)


def test_threads_missing_from_the_manifest_are_refused_unless_allowed(app, tmp_path):
    source = variant(tmp_path, "disqus.xml", "/second-article/", "/unknown-article/")
    refused = run_import(app, "disqus", source)
    assert refused.exit_code == 1
    assert "1 thread(s) are not articles of the thread manifest" in refused.stderr
    assert ": unknown-article. Check how their URLs map" in refused.stderr
    assert exported(app)["comments"] == []
    allowed = run_import(app, "disqus", source, "--allow-unknown-threads")
    assert allowed.exit_code == 0, allowed.output
    assert [t["slug"] for t in exported(app)["threads"]] == ["first-article", "unknown-article"]


def test_without_a_manifest_every_thread_is_imported(app, tmp_path, manifest_path):
    manifest_path.unlink()
    source = variant(tmp_path, "disqus.xml", "/second-article/", "/unknown-article/")
    assert run_import(app, "disqus", source).exit_code == 0


def test_another_system_is_imported_from_a_file_not_stdin(app):
    assert_refused(app, "disqus", "-", ["--from disqus reads a file: give its path instead of `-`"])


def test_an_import_into_a_database_with_comments_is_refused(app, tmp_path):
    before = imported(app, "isso", isso_database(tmp_path))
    result = run_import(app, "wordpress", DATA / "wordpress.xml")
    assert result.exit_code == 1
    assert "already holds 2 threads and 5 comments: import only into a fresh, empty database" \
        in result.stderr
    assert exported(app) == before


def _bounds(node, pointer=""):
    """(JSON pointer, value) of every maxLength and maximum in a schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("maxLength", "maximum"):
                yield f"{pointer}/{key}", value
            else:
                yield from _bounds(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _bounds(value, f"{pointer}/{index}")


def test_every_bound_of_the_export_schema_is_a_core_limit():
    """The schema is a static file, so its numbers are copies: they must equal core/limits.py
    (which the columns enforce), else valid exports would be refused or bad ones let through to
    the database. Every bound is listed, so a new one needs its limit named here."""
    schema = json.loads(transfer.SCHEMA_PATH.read_text(encoding="utf-8"))
    comment = "/$defs/comment/properties"
    assert dict(_bounds(schema)) == {
        "/$defs/thread/properties/slug/maxLength": SLUG_MAX,
        f"{comment}/id/maximum": ID_MAX,
        f"{comment}/thread/maxLength": SLUG_MAX,
        f"{comment}/author/maxLength": AUTHOR_MAX,
        f"{comment}/email/maxLength": EMAIL_MAX,
        f"{comment}/website/maxLength": WEBSITE_MAX,
        f"{comment}/ip_hash/maxLength": IP_HASH_MAX,
        f"{comment}/flags/maxLength": FLAGS_MAX,
        f"{comment}/moderation_reason/maxLength": REASON_MAX,
    }
