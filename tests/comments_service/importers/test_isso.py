"""The Isso reader (importers/isso.py): an Isso 0.14 database built here imports with its
threads, replies, states and Markdown, on each backend; a file that is not such a database, or
holds what Isso never writes, is refused naming the comment, with nothing written."""

import json

import pytest

from comments_service.core.comment import DELETED_AUTHOR
from comments_service.core.render import render

from ..conftest import CommentsAPI, assert_inert
from .sources import (BOTH_THREADS, DATA, ISSO_COMMENTS, assert_no_raw_address, assert_refused,
                      case_id, exported, imported, ip_hash, isso_database, isso_with, outline,
                      run_import)


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
