"""The Isso reader (importers/isso.py): an Isso 0.14 database built here imports with its
threads, replies, states and Markdown, on each backend; a file that is not such a database, or
holds what Isso never writes, is refused naming the comment, with nothing written."""

import json
import sqlite3

import pytest
from sqlalchemy import func, select

from comments_service.core.comment import DELETED_AUTHOR
from comments_service.core.render import render
from comments_service.core.storage.tables import comments, reply_subscriptions
from comments_service.db import engine as app_engine

from ..conftest import CommentsAPI, assert_inert
from .sources import (
    BOTH_THREADS,
    DATA,
    ISSO_COMMENTS,
    assert_no_raw_address,
    assert_refused,
    case_id,
    exported,
    imported,
    ip_hash,
    isso_database,
    isso_with,
    outline,
    run_import,
)


def test_isso_database_imports_threads_replies_states_and_markdown(app, tmp_path):
    result = run_import(app, "isso", isso_database(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Imported 2 threads and 5 comments." in result.stdout
    assert "Skipping 1 comment(s): deleted, without replies." in result.stderr
    assert "Importing comments" in result.stderr
    document = exported(app)
    assert document["threads"] == BOTH_THREADS
    assert outline(document) == [
        (1, "first-article", None, "approved", False, "Ann"),
        (2, "first-article", 1, "pending", False, "Anonymous"),
        (3, "first-article", None, "approved", True, DELETED_AUTHOR),
        (4, "first-article", 3, "approved", False, "Bo"),
        (5, "second-article", None, "approved", False, "Cy"),
    ]
    first, reply, placeholder = document["comments"][:3]
    assert first["text"] == ISSO_COMMENTS[0][7]
    assert first["html"] == render(first["text"]) and "<em>world</em>" in first["html"]
    assert_inert(first["html"])
    assert (first["created"], first["edited"]) == ("2020-01-01T09:00:00.250000Z", None)
    assert reply["edited"] == "2020-01-01T10:01:00.250000Z"
    assert (first["website"], reply["website"]) == ("https://ann.example", None)  # no scheme
    assert (placeholder["email"], placeholder["text"], placeholder["ip_hash"]) == (None, "", None)
    assert first["ip_hash"] == ip_hash(app, "192.0.2.0")
    assert_no_raw_address(document)


def test_imported_comments_are_served_without_private_fields(app, tmp_path):
    imported(app, "isso", isso_database(tmp_path))
    thread = CommentsAPI(app.test_client()).thread("first-article")
    assert [(c["id"], c["parent"], c["author"]) for c in thread["comments"]] == [
        (1, None, "Ann"), (3, None, DELETED_AUTHOR), (4, 3, "Bo")]
    assert "ann@example.org" not in json.dumps(thread)


def _isso_without_comments_table(tmp_path):
    threads_only = "CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR, title VARCHAR)"
    return "isso", isso_database(tmp_path, comments=None, schema=threads_only), [
        "isso.db has no `comments` table: is it an Isso database?"]


def _not_a_database(tmp_path):
    return "isso", DATA / "disqus.xml", [
        "disqus.xml is not a readable Isso database: file is not a database"]


def _isso_unknown_mode(tmp_path):
    return "isso", isso_with(tmp_path, 0, mode=3), [
        "Isso comment 1: unknown mode 3 (Isso uses 1, 2 and 4)"]


def _isso_missing_thread(tmp_path):
    return "isso", isso_with(tmp_path, 0, tid=9), [
        "Isso comment 1: its thread 9 is not in the `threads` table"]


@pytest.mark.parametrize("bad_source", [_isso_without_comments_table, _not_a_database,
                                        _isso_unknown_mode, _isso_missing_thread], ids=case_id)
def test_a_bad_isso_database_is_refused_naming_the_item(app, tmp_path, bad_source):
    assert_refused(app, *bad_source(tmp_path))


def test_a_nul_in_a_text_is_refused_naming_the_comment_on_every_backend(app, tmp_path):
    """SQLite would store it and PostgreSQL refuse it in the middle of a batch."""
    rows = [list(row) for row in ISSO_COMMENTS]
    rows[3][7] = "Replying\x00 to a deleted one"
    assert_refused(app, "isso", isso_database(tmp_path, comments=rows), [
        "Isso comment 4: its text holds a NUL character or a lone surrogate"])
    result = run_import(app, "isso", tmp_path / "isso.db", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Skipping invalid Isso comment 4: its text holds a NUL" in result.stderr


def test_control_characters_the_api_refuses_are_made_readable_and_dropped_from_addresses(
        app, tmp_path):
    """A vertical tab (Word's line break) or an escape in a name or a text does not cost the
    comment: the name gets a space, the text a line break, an escape is dropped, and a C1 control
    that is a Windows-1252 byte read as Latin-1 becomes what it meant. Stored as they were, they
    made both Atom feeds answer 500 (XML 1.0 cannot hold them). An email or website holding one
    is dropped, as a malformed one is; tabs and CRLF in a text are kept."""
    rows = [list(row) for row in ISSO_COMMENTS]
    rows[3][7:11] = ["Tabs\tand\r\nCRLF\x0bWord\x1b it\x92s", "Bo\x0b Smith\x1b",
                     "bo@example.org\x1b", "https://bo.example/\x07"]
    document = imported(app, "isso", isso_database(tmp_path, comments=rows))
    fourth = next(c for c in document["comments"] if c["author"] == "Bo Smith")
    assert (fourth["text"], fourth["email"], fourth["website"]) == (
        "Tabs\tand\r\nCRLF\nWord it\u2019s", None, None)
    assert "\x0b" not in fourth["html"] and "it\u2019s" in fourth["html"]
    assert app.test_client().get("/api/feed.atom").status_code == 200


def test_isso_escaped_author_email_and_website_are_unescaped(app, tmp_path):
    rows = [list(row) for row in ISSO_COMMENTS]
    rows[0][8:11] = ["Tom &amp; Jerry &lt;b&gt;", "tom&amp;jerry@example.org",
                     "https://example.org/?a=1&amp;b=2&#x27;"]
    document = imported(app, "isso", isso_database(tmp_path, comments=rows))
    first = document["comments"][0]
    assert (first["author"], first["email"], first["website"]) == (
        "Tom & Jerry <b>", "tom&jerry@example.org", "https://example.org/?a=1&b=2'")


@pytest.mark.parametrize("version", ["0.13", "0.14"])
def test_a_database_written_by_isso_itself_imports_as_its_readers_saw_it(app, version):
    """tests/comments_service/data/isso-<version>.db was written by Isso through its HTTP API
    (data/make_isso_fixture.py): escaped names, votes, subscriptions, edits, deletions."""
    result = run_import(app, "isso", DATA / f"isso-{version}.db", "--allow-unknown-threads")
    assert result.exit_code == 0, result.output
    document = exported(app)
    authors = {c["author"] for c in document["comments"]}
    assert {"Tom & Jerry", "O'Brien", "<b>Bold</b>", '"quoted"'} <= authors
    assert not any("&amp;" in (c["author"] + (c["website"] or "")) for c in document["comments"])
    assert "https://example.org/?a=1&b=2" in {c["website"] for c in document["comments"]}
    # rendered as Isso showed them: fenced code as a block, single newlines as line breaks
    assert any("<pre><code" in c["html"] for c in document["comments"])
    assert any("<br>" in c["html"] for c in document["comments"])
    assert not any(c["html"].startswith("<h") for c in document["comments"])
    assert {t["slug"] for t in document["threads"]} >= {"budget-vote", "city-council"}
    with app.app_context(), app_engine().connect() as conn:
        likes = conn.execute(select(func.sum(comments.c.likes), func.sum(comments.c.dislikes))).one()
        subscribed = conn.execute(select(func.count()).select_from(reply_subscriptions)).scalar()
    assert likes[0] > 0 and likes[1] > 0 and subscribed > 0
    with sqlite3.connect(DATA / f"isso-{version}.db") as isso:
        visible = isso.execute("SELECT count(*) FROM comments WHERE mode IN (1, 2)").fetchone()[0]
    isso.close()
    assert len([c for c in document["comments"] if not c["deleted"]]) == visible
