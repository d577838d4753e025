"""Imports from Isso, Disqus and WordPress (`flask --app comments_service import --from ...`),
on each backend: an Isso database built here with Isso 0.14's own schema, and the Disqus and
WordPress samples in data/. Every bad source is refused naming the item, with nothing written."""

import json
import sqlite3
from pathlib import Path

import pytest

from comments_service import importers, security, transfer
from comments_service.core.comment import DELETED_AUTHOR
from comments_service.core.privacy import hash_ip
from comments_service.core.render import render
from comments_service.db import engine as app_engine
from comments_service.importers import article_slug, plain_text

from .conftest import CommentsAPI, assert_inert

DATA = Path(__file__).parent / "data"
T0 = 1577869200.25  # 2020-01-01T09:00:00.25Z, as Isso stores times

#: Isso 0.14's tables (isso/db/preferences.py, threads.py, comments.py) and trigger (__init__.py).
ISSO_SCHEMA = """
CREATE TABLE IF NOT EXISTS preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE IF NOT EXISTS comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER DEFAULT 0);
CREATE TRIGGER IF NOT EXISTS remove_stale_threads AFTER DELETE ON comments
BEGIN DELETE FROM threads WHERE id NOT IN (SELECT tid FROM comments); END;
"""
ISSO_THREADS = [(1, "/first-article.html", "First"), (2, "/second-article/", "Second")]
#: (tid, id, parent, created, modified, mode, remote_addr, text, author, email, website)
ISSO_COMMENTS = [
    (1, 1, None, T0, None, 1, "192.0.2.0", "Hello *world* <script>alert(1)</script>", "Ann",
     "ann@example.org", "https://ann.example"),
    (1, 2, 1, T0 + 3600, T0 + 3660, 2, "192.0.2.0", "A pending reply", None, None, "ann.example"),
    (1, 3, None, T0 + 7200, None, 4, "198.51.100.0", "", None, "gone@example.org", None),
    (1, 4, 3, T0 + 8000, None, 1, "198.51.100.0", "Replying to a deleted one", "Bo", None, None),
    (2, 5, None, T0 + 9000, None, 4, "198.51.100.0", "", None, None, None),
    (2, 6, None, T0 + 10000, None, 1, "2001:db8::", "Second thread", "Cy", None, None),
]
ADDRESSES = ["192.0.2.", "198.51.100.", "2001:db8::"]  # every address in the sources starts so


@pytest.fixture
def database_url(any_database_url):
    """Every import runs into an empty SQLite database and an empty PostgreSQL schema."""
    return any_database_url


def isso_database(tmp_path, comments=ISSO_COMMENTS, schema=ISSO_SCHEMA) -> Path:
    path = tmp_path / "isso.db"
    with sqlite3.connect(path) as isso:
        isso.executescript(schema)
        if comments:
            isso.executemany("INSERT INTO threads VALUES (?, ?, ?)", ISSO_THREADS)
            isso.executemany("INSERT INTO comments (tid, id, parent, created, modified, mode, "
                             "remote_addr, text, author, email, website, voters) VALUES "
                             "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, x'00')", comments)
    isso.close()
    return path


def sample(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def written(tmp_path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def variant(tmp_path, name: str, old: str, new: str) -> Path:
    """A copy of the sample `name` with the first `old` replaced by `new`."""
    text = sample(name)
    assert old in text
    return written(tmp_path, name, text.replace(old, new, 1))


def line_of(name: str, needle: str) -> int:
    text = sample(name)
    return text[:text.index(needle)].count("\n") + 1


def run_import(app, source, path, *options):
    return app.test_cli_runner().invoke(args=["import", "--from", source, *options, str(path)])


def imported(app, source, path) -> dict:
    """Import `path`, which must succeed, and return the database as an export document."""
    result = run_import(app, source, path)
    assert result.exit_code == 0, result.output
    return exported(app)


def exported(app) -> dict:
    with app.app_context(), app_engine().connect() as conn:
        return transfer.export_document(conn)


def ip_hash(app, address: str) -> str:
    with app.app_context():
        return hash_ip(security.ip_hash_salt(), address)


def outline(document) -> list[tuple]:
    """(id, thread, parent, state, deleted, author) of every comment."""
    return [(c["id"], c["thread"], c["parent"], c["state"], c["deleted"], c["author"])
            for c in document["comments"]]


def assert_no_raw_address(document) -> None:
    text = json.dumps(document)
    for prefix in ADDRESSES:
        assert prefix not in text


BOTH_THREADS = [{"slug": "first-article", "locked": False},
                {"slug": "second-article", "locked": False}]


# Isso --------------------------------------------------------------------------------------------

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


# Disqus ------------------------------------------------------------------------------------------

def test_disqus_export_imports_threads_replies_states_and_sanitised_html(app):
    result = run_import(app, "disqus", DATA / "disqus.xml")
    assert result.exit_code == 0, result.output
    assert "Reading disqus.xml" in result.stderr
    document = exported(app)
    assert document["threads"] == BOTH_THREADS
    # post 302 answers 301 but is dated earlier: it still comes after its parent
    assert outline(document) == [
        (1, "first-article", None, "approved", False, "Ann"),
        (2, "first-article", 1, "approved", True, DELETED_AUTHOR),
        (3, "first-article", 2, "approved", False, "Anonymous"),
        (4, "second-article", None, "rejected", False, "Spammer"),
        (5, "second-article", None, "approved", False, "Dee"),
    ]
    first = document["comments"][0]
    assert_inert(first["html"])
    assert "pwned" not in first["html"] and "steal" not in first["html"]
    link = '<a href="https://source.example/doc" rel="nofollow ugc noopener">source</a>'
    assert link in first["html"]
    assert first["text"] == "Great piece & source.\n\nSecond paragraph\nnext line"
    assert (first["email"], first["website"]) == ("ann@example.org", None)
    assert first["ip_hash"] == ip_hash(app, "192.0.2.10")
    assert document["comments"][4]["created"] == "2020-01-03T08:00:00Z"  # +02:00 in the file
    assert_no_raw_address(document)


# WordPress ---------------------------------------------------------------------------------------

def test_wordpress_export_imports_comments_and_skips_pingbacks_and_other_types(app):
    result = run_import(app, "wordpress", DATA / "wordpress.xml")
    assert result.exit_code == 0, result.output
    assert "Skipping 1 comment(s): pingback." in result.stderr
    assert "Skipping 1 comment(s): order_note." in result.stderr
    document = exported(app)
    assert document["threads"] == BOTH_THREADS  # second-article from <link>: no post_name
    assert outline(document) == [
        (1, "second-article", None, "approved", False, "Gus"),
        (2, "first-article", None, "approved", False, "Bea"),
        (3, "first-article", 2, "pending", False, "Cy"),
        (4, "first-article", None, "approved", False, "Dee"),  # answered the skipped pingback
        (5, "first-article", None, "approved", True, DELETED_AUTHOR),  # trash, answered
        (6, "first-article", 5, "approved", False, "Fay"),
        (7, "first-article", None, "rejected", False, "Bot"),
    ]
    by_author = {c["author"]: c for c in document["comments"]}
    bea = by_author["Bea"]
    assert bea["html"] == "<p>First line<br>\nsecond line</p><p>New <em>paragraph</em> </p>"
    assert_inert(bea["html"])
    assert bea["text"] == "First line\nsecond line\n\nNew paragraph"
    assert bea["website"] is None  # javascript: dropped
    assert bea["created"] == "2020-01-03T11:00:00Z"  # comment_date_gmt
    assert by_author["Bot"]["created"] == "2020-01-06T10:00:00Z"  # no GMT date: comment_date
    assert by_author["Fay"]["website"] == "http://fay.example"
    assert by_author["Gus"]["ip_hash"] == ip_hash(app, "2001:db8::8")
    assert_no_raw_address(document)


def test_xml_is_read_as_a_stream_of_records_with_their_lines(tmp_path):
    post = "{http://disqus.com}post"
    posts = "".join(f'<post dsq:id="{n}"><message>{"x" * 99}</message></post>\n' for n in range(3000))
    path = written(tmp_path, "big.xml", '<disqus xmlns="http://disqus.com" '
                   f'xmlns:dsq="http://disqus.com/disqus-internals">\n{posts}</disqus>')
    read, records = 0, []

    def on_read(size):
        nonlocal read
        read += size

    def on_record(element, line):
        records.append((line, read))

    importers._parse_xml(path, importers._RecordReader("a Disqus export", "{http://disqus.com}disqus",
                                                       {post}, on_record), on_read)
    assert [line for line, _ in records] == list(range(2, 3002))
    assert records[0][1] == 0 and read == path.stat().st_size  # handed over while reading


def test_a_malformed_website_is_dropped_and_an_encoded_post_name_decoded(app, tmp_path):
    source = variant(tmp_path, "wordpress.xml", "<![CDATA[https://cy.example/]]>", "http://[::1")
    source.write_text(source.read_text(encoding="utf-8").replace(
        "<![CDATA[first-article]]>", "<![CDATA[caf%c3%a9]]>"), encoding="utf-8")
    result = run_import(app, "wordpress", source, "--allow-unknown-threads")
    assert result.exit_code == 0, result.output
    document = exported(app)
    assert [t["slug"] for t in document["threads"]] == ["café", "second-article"]
    assert {c["author"]: c["website"] for c in document["comments"]}["Cy"] is None


# Thread identity ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url, slug", [
    ("/first-article.html", "first-article"),
    ("https://news.example/2020/01/first-article/", "first-article"),
    ("https://news.example/first-article/index.html?utm=x#comments", "first-article"),
    ("/caf%C3%A9.html", "café"),
    ("https://news.example/", None),
    ("https://[::1/first-article.html", None),
    ("", None),
])
def test_article_slug_is_the_last_path_segment_without_html(url, slug):
    assert article_slug(url) == slug


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


# Bad sources -------------------------------------------------------------------------------------

def _truncated(tmp_path):
    return "disqus", written(tmp_path, "disqus.xml", sample("disqus.xml")[:3000]), [
        "disqus.xml is not complete, well-formed XML", "line"]


def _entity_bomb(tmp_path):
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY a "aaaaaaaa">\n'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
            '<disqus xmlns="http://disqus.com">&b;</disqus>')
    return "disqus", written(tmp_path, "bomb.xml", bomb), [
        "bomb.xml, line 2: refused EntitiesForbidden"]


def _external_entity(tmp_path):
    reader = ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
              '<rss><channel>&x;</channel></rss>')
    return "wordpress", written(tmp_path, "external.xml", reader), [
        "external.xml, line 2: refused EntitiesForbidden"]


def _wrong_xml_kind(tmp_path):
    return "disqus", DATA / "wordpress.xml", [
        "wordpress.xml: this is not a Disqus export: its root element is rss"]


def _json_as_xml(tmp_path):
    return "wordpress", written(tmp_path, "export.json", '{"format": "newsroom-comments"}'), [
        "export.json is not complete, well-formed XML: not well-formed (invalid token): line 1"]


def _rss_without_comments(tmp_path):
    feed = '<rss><channel><title>News</title><item><title>A</title></item></channel></rss>'
    return "wordpress", written(tmp_path, "feed.xml", feed), [
        "feed.xml: no comments found; is it a WordPress export?"]


def _isso_without_comments_table(tmp_path):
    threads_only = "CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR, title VARCHAR)"
    return "isso", isso_database(tmp_path, comments=None, schema=threads_only), [
        "isso.db has no `comments` table: is it an Isso database?"]


def _not_a_database(tmp_path):
    return "isso", DATA / "disqus.xml", [
        "disqus.xml is not a readable Isso database: file is not a database"]


def _isso_with(tmp_path, index, **changes):
    """ISSO_COMMENTS with the fields of comment number `index` changed."""
    fields = ("tid", "id", "parent", "created", "modified", "mode")
    rows = [list(row) for row in ISSO_COMMENTS]
    for field, value in changes.items():
        rows[index][fields.index(field)] = value
    return isso_database(tmp_path, comments=rows)


def _isso_unknown_mode(tmp_path):
    return "isso", _isso_with(tmp_path, 0, mode=3), [
        "Isso comment 1: unknown mode 3 (Isso uses 1, 2 and 4)"]


def _isso_parent_in_another_thread(tmp_path):
    return "isso", _isso_with(tmp_path, 5, parent=1), [
        "Isso comment 6: its parent, Isso comment 1, belongs to another thread "
        "('first-article', not 'second-article')"]


def _isso_parent_loop(tmp_path):
    return "isso", _isso_with(tmp_path, 0, parent=2), ["its chain of parents loops back"]


def _isso_missing_thread(tmp_path):
    return "isso", _isso_with(tmp_path, 0, tid=9), [
        "Isso comment 1: its thread 9 is not in the `threads` table"]


def _disqus_missing_parent(tmp_path):
    line = line_of("disqus.xml", '<post dsq:id="301">')
    source = variant(tmp_path, "disqus.xml", '<parent dsq:id="300"/>', '<parent dsq:id="999"/>')
    return "disqus", source, [
        f"Disqus post 301 (line {line}): its parent 999 is not in the source"]


def _disqus_unknown_thread(tmp_path):
    line = line_of("disqus.xml", '<post dsq:id="303">')
    source = variant(tmp_path, "disqus.xml", '<thread dsq:id="201"/>', '<thread dsq:id="299"/>')
    return "disqus", source, [
        f"Disqus post 303 (line {line}): its thread 299 is not in the file"]


def _disqus_link_without_slug(tmp_path):
    line = line_of("disqus.xml", '<thread dsq:id="200">')
    return "disqus", variant(tmp_path, "disqus.xml", "https://news.example/first-article.html",
                             "https://news.example/"), [
        f"Disqus thread 200 (line {line}): its URL 'https://news.example/' names no article"]


def _disqus_bad_date(tmp_path):
    return "disqus", variant(tmp_path, "disqus.xml", "2020-01-02T10:00:00Z", "yesterday"), [
        "Disqus post 300", "createdAt 'yesterday' is not a date and time"]


def _disqus_long_author(tmp_path):
    source = variant(tmp_path, "disqus.xml", "<name>Ann</name>", f"<name>{'A' * 101}</name>")
    return "disqus", source, [
        "Disqus post 300", "the author name has 101 characters, at most 100"]


def _wordpress_parent_in_another_thread(tmp_path):
    line = line_of("wordpress.xml", "<title>Second article</title>") - 1
    source = variant(tmp_path, "wordpress.xml", "<wp:comment_parent>0</wp:comment_parent>\n"
                     "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n\t\t</wp:comment>\n"
                     "\t\t<wp:comment>\n\t\t\t<wp:comment_id>9</wp:comment_id>",
                     "<wp:comment_parent>1</wp:comment_parent>\n"
                     "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n\t\t</wp:comment>\n"
                     "\t\t<wp:comment>\n\t\t\t<wp:comment_id>9</wp:comment_id>")
    return "wordpress", source, [
        f"WordPress comment 8 (in the <item> at line {line}): its parent, WordPress comment 1",
        "belongs to another thread ('first-article', not 'second-article')"]


def _wordpress_unknown_state(tmp_path):
    return "wordpress", variant(tmp_path, "wordpress.xml", "<![CDATA[spam]]>", "<![CDATA[maybe]]>"), [
        "WordPress comment 7", "unknown comment_approved 'maybe'"]


def _stdin(tmp_path):
    return "disqus", "-", ["--from disqus reads a file: give its path instead of `-`"]


BAD_SOURCES = [_truncated, _entity_bomb, _external_entity, _wrong_xml_kind, _json_as_xml,
               _rss_without_comments, _isso_without_comments_table, _not_a_database,
               _isso_unknown_mode, _isso_parent_in_another_thread, _isso_parent_loop,
               _isso_missing_thread, _disqus_missing_parent, _disqus_unknown_thread,
               _disqus_link_without_slug, _disqus_bad_date, _disqus_long_author,
               _wordpress_parent_in_another_thread, _wordpress_unknown_state, _stdin]


@pytest.mark.parametrize("bad_source", BAD_SOURCES, ids=lambda case: case.__name__.strip("_"))
def test_a_bad_source_is_refused_naming_the_item_and_nothing_is_written(app, tmp_path, bad_source):
    source, path, named = bad_source(tmp_path)
    result = run_import(app, source, path)
    assert result.exit_code == 1
    for fragment in named:
        assert fragment in result.stderr
    assert "Nothing was imported." in result.stderr
    assert exported(app) | {"version": None} == {"format": transfer.FORMAT, "version": None,
                                                  "threads": [], "comments": []}


def test_an_import_into_a_database_with_comments_is_refused(app, tmp_path):
    before = imported(app, "isso", isso_database(tmp_path))
    result = run_import(app, "wordpress", DATA / "wordpress.xml")
    assert result.exit_code == 1
    assert "already holds 2 threads and 5 comments: import only into a fresh, empty database" \
        in result.stderr
    assert exported(app) == before


# Text ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("html, text", [
    ("<p>One &amp; two</p><p>Three<br>four</p>", "One & two\n\nThree\nfour"),
    ("<ul><li>a</li><li>b</li></ul>x &lt;b&gt;", "a\nb\n\nx <b>"),
    ("<script>alert(1)</script><style>p {}</style>Words", "Words"),
])
def test_plain_text_keeps_words_and_line_structure(html, text):
    assert plain_text(html) == text
