"""The Remark42 reader (importers/remark42.py), on backups written here in the shapes Remark42's
export writes: threads and comments come out in file order with replies, deletions, votes and
edits mapped, from a plain or a gzip file, as a stream; a bad comment line is an Invalid naming
its line and the rest is read; a file that is not a Remark42 backup is refused."""

import gzip
import json
import secrets
from datetime import UTC, datetime

import pytest

from comments_service.core.comment import APPROVED
from comments_service.core.render import sanitize
from comments_service.importers import remark42
from comments_service.importers.items import Foreign, Invalid, SourceRejected, Thread

from ..conftest import assert_inert
from .sources import (
    DATA,
    R42_FIRST,
    R42_IP,
    R42_META,
    R42_SECOND,
    exported,
    r42_comment,
    r42_id,
    r42_user,
    remark42_backup,
    run_import,
)

BO = r42_user("Bo &lt;3", "anonymous_bo", ip="0c4d9e2f7a1b3c5d6e8f9a0b1c2d3e4f5a6b7c8d", block=True)
CY = {"name": "Cy", "id": "google_cy", "picture": "", "admin": False}  # no ip: omitempty
#: Two articles (the second on another site id, and the first named again after it), a reply to a
#: reply by a blocked user, an edited comment, a deleted one with a reply, old-style `votes`.
SAMPLE = [
    r42_comment(1, text="<p>Hello <em>world</em> &amp; &lt;you&gt;</p>\n",
                orig="Hello *world* &amp; &lt;you&gt;", time="2020-01-01T09:00:00.25Z",
                score=2, title="First article"),
    r42_comment(2, pid=1, user=BO, text="<p>Edited reply</p>\n", orig="Edited reply",
                time="2020-01-01T10:00:00+01:00", score=-1,
                edit={"time": "2020-01-01T09:05:00.123456789Z", "summary": ""}),
    r42_comment(3, pid=2, user=CY, time="2020-01-01T09:10:00Z"),
    r42_comment(4, text="", orig=None, time="2020-01-01T09:20:00Z", delete=True),
    r42_comment(5, pid=4, time="2020-01-01T09:30:00Z"),
    r42_comment(6, R42_SECOND, site="blog", time="2020-01-02T09:00:00Z", score=1,
                votes={"github_bo": True, "google_cy": True, "anonymous_dee": False},
                controversy=1.7320508075688772),
    r42_comment(7, time="2020-01-03T09:00:00Z"),
]


def read_all(path, on_read=lambda size: None) -> list:
    return list(remark42.read(path, on_read))


def outline(items) -> list[tuple]:
    """("thread", ref) or (comment number, thread, parent number) or ("invalid", name)."""
    number = {r42_id(n): n for n in range(100)}
    return [("thread", item.ref) if isinstance(item, Thread)
            else ("invalid", item.name) if isinstance(item, Invalid)
            else (number[item.key], item.thread, number.get(item.parent))
            for item in items]


def comment(items, n: int) -> Foreign:
    return next(item for item in items if isinstance(item, Foreign) and item.key == r42_id(n))


def test_each_url_is_a_thread_yielded_before_its_first_comment_and_only_then(tmp_path):
    items = read_all(remark42_backup(tmp_path, SAMPLE))
    assert outline(items) == [
        ("thread", R42_FIRST), (1, R42_FIRST, None), (2, R42_FIRST, 1), (3, R42_FIRST, 2),
        (4, R42_FIRST, None), (5, R42_FIRST, 4),
        ("thread", R42_SECOND), (6, R42_SECOND, None),
        (7, R42_FIRST, None),
    ]
    assert items[0] == Thread(ref=R42_FIRST, name=f"Remark42 thread {R42_FIRST} (line 2)",
                              url=R42_FIRST)
    assert items[6].name == f"Remark42 thread {R42_SECOND} (line 7)"  # line 1 is the metadata


def test_a_comment_maps_every_field(tmp_path):
    first = comment(read_all(remark42_backup(tmp_path, SAMPLE)), 1)
    assert first == Foreign(
        key=r42_id(1), name=f"Remark42 comment {r42_id(1)} (line 2)", thread=R42_FIRST,
        parent=None, state=APPROVED, deleted=False, author="Ann", email="ann@example.org",
        website=None, text="Hello *world* & <you>",  # `orig`, with Remark42's escaping undone
        html=sanitize(SAMPLE[0]["text"]), ip=R42_IP,  # Remark42's hash, hashed again later
        created=datetime(2020, 1, 1, 9, 0, 0, 250000, UTC), edited=None, likes=2, dislikes=0,
        subscribed=True)  # Remark42 mails a user with a confirmed address replies to any comment


def test_a_blocked_users_edited_reply_stays_visible_with_its_edit_time(tmp_path):
    reply = comment(read_all(remark42_backup(tmp_path, SAMPLE)), 2)
    assert (reply.parent, reply.state, reply.deleted) == (r42_id(1), APPROVED, False)
    assert (reply.author, reply.email) == ("Bo <3", None)  # no address in the metadata
    assert reply.created.isoformat() == "2020-01-01T09:00:00+00:00"  # in UTC, offset applied
    assert reply.edited == datetime(2020, 1, 1, 9, 5, 0, 123456, UTC)  # nanoseconds cut
    assert (reply.likes, reply.dislikes) == (0, 1)  # from its score of -1


def test_a_deleted_comment_is_deleted_and_empty_and_a_missing_ip_is_none(tmp_path):
    items = read_all(remark42_backup(tmp_path, SAMPLE))
    deleted = comment(items, 4)
    assert (deleted.deleted, deleted.text, deleted.html) == (True, "", "")
    assert comment(items, 5).deleted is False
    assert comment(items, 3).ip is None


@pytest.mark.parametrize("votes, score, likes, dislikes", [
    ({"a": True, "b": True, "c": False}, 1, 2, 1),  # old backups: one entry per voter
    ({"a": True}, 5, 1, 0),  # the map, when there is one, wins over the score
    (None, 3, 3, 0),  # recent backups hide voters: the net score
    (None, -2, 0, 2),
    ({}, 0, 0, 0),
])
def test_likes_and_dislikes_come_from_votes_else_from_the_score(tmp_path, votes, score, likes,
                                                                 dislikes):
    record = r42_comment(1, score=score) | ({} if votes is None else {"votes": votes})
    [_, read] = read_all(remark42_backup(tmp_path, [record]))
    assert (read.likes, read.dislikes) == (likes, dislikes)


def test_metadata_gives_emails_only_and_is_not_an_item(tmp_path):
    assert read_all(remark42_backup(tmp_path, [])) == []
    meta = R42_META | {"version": 0, "users": [{"id": "github_ann", "details": {"email": ""}}]}
    [_, read] = read_all(remark42_backup(tmp_path, [SAMPLE[0]], meta=meta))
    assert read.email is None and read.key == r42_id(1)  # version 0 is read too


@pytest.mark.parametrize("compress, name", [(False, "backup.json"), (True, "backup-news.gz"),
                                            (True, "renamed.json"), (False, "not-really.gz")])
def test_plain_and_gzip_files_are_told_apart_by_content_and_read_alike(tmp_path, compress,
                                                                       name):
    (tmp_path / "plain").mkdir()
    plain = read_all(remark42_backup(tmp_path / "plain", SAMPLE))
    path = remark42_backup(tmp_path, SAMPLE, compress=compress).rename(tmp_path / name)
    reported = []
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == compress
    assert read_all(path, reported.append) == plain
    assert sum(reported) == path.stat().st_size  # the file on disk, compressed or not


BAD_LINES = {
    "not JSON": ("{not json", None, "the line is not JSON (Expecting property name"),
    "not UTF-8": (b'{"id": "\xff"}', None, "the line is not UTF-8 (invalid start byte at byte 8)"),
    "not an object": ("[1, 2]", None, "the line is a JSON list, not a comment object"),
    "nested too deep": ("[" * 100_000, None, "the line is not JSON"),
    "no id": (r42_comment(3) | {"id": ""}, None, "the comment has no id"),
    "id not a string": (r42_comment(3) | {"id": 3}, None, "its id 3 is not a string"),
    "no url": (r42_comment(3) | {"locator": {"site": "news"}}, 3,
               "the comment has no locator.url (the page it was posted on)"),
    "no time": ({k: v for k, v in r42_comment(3).items() if k != "time"}, 3,
                "the comment has no time"),
    "bad time": (r42_comment(3, time="yesterday"), 3,
                 "time 'yesterday' is not a date and time"),
    "bad edit time": (r42_comment(3, edit={"time": "2020-13-01T00:00:00Z", "summary": ""}), 3,
                      "edit.time '2020-13-01T00:00:00Z' is not a date and time"),
    "score not a number": (r42_comment(3, score="3"), 3, 'score "3" is not a whole number'),
    "delete not a boolean": (r42_comment(3, delete="yes"), 3,
                             'delete "yes" is not a boolean'),
    "votes not booleans": (r42_comment(3, votes={"a": 1}), 3,
                           'votes {"a": 1} are not all true or false'),
    "pid not a string": (r42_comment(3, pid=None) | {"pid": 1}, 3, "pid 1 is not a string"),
    "user not an object": (r42_comment(3, user="Ann"), 3, 'user "Ann" is not a JSON object'),
    "lone surrogate in html": (json.dumps(r42_comment(3, text="<p>a\ud800</p>")), 3,
                               "text holds '\\ud800' at character 4, a lone surrogate"),
}


@pytest.mark.parametrize("bad, key, problem", BAD_LINES.values(), ids=BAD_LINES)
def test_a_bad_line_is_an_invalid_naming_its_line_and_the_rest_is_read(tmp_path, bad, key,
                                                                       problem):
    items = read_all(remark42_backup(tmp_path, [SAMPLE[0], "", bad, r42_comment(4)]))
    name = f"Remark42 comment {r42_id(key)} (line 4)" if key else "Remark42 comment (line 4)"
    assert outline(items) == [("thread", R42_FIRST), (1, R42_FIRST, None), ("invalid", name),
                              (4, R42_FIRST, None)]  # line 3, blank, is no item
    invalid = items[2]
    assert invalid.key == (r42_id(key) if key else None)
    assert invalid.problem.startswith(problem), invalid.problem


def test_an_oversized_line_is_skipped_without_being_held(tmp_path, monkeypatch):
    monkeypatch.setattr(remark42, "MAX_LINE", 1000)
    items = read_all(remark42_backup(tmp_path, [SAMPLE[0], r42_comment(2, text="x" * 5000),
                                                r42_comment(3)]))
    assert outline(items) == [("thread", R42_FIRST), (1, R42_FIRST, None),
                              ("invalid", "Remark42 comment (line 3)"), (3, R42_FIRST, None)]
    assert items[2].problem == "the line is longer than 1000 bytes"


def test_nul_and_lone_surrogates_outside_html_are_left_for_the_pipeline(tmp_path):
    record = r42_comment(1, text="<p>a\x00b</p>", orig="a\x00b \ud800",
                         user=r42_user("Ann\ud800", "github_ann"))
    [_, read] = read_all(remark42_backup(tmp_path, [json.dumps(record)]))  # escaped as \ud800
    assert (read.text, read.author, read.html) == ("a\x00b \ud800", "Ann\ud800", "<p>ab</p>")


def test_hostile_html_is_sanitised_and_its_words_are_the_text_without_orig(tmp_path):
    hostile = ('<p onclick="steal()">Hi<script>alert(1)</script><img src=x onerror=alert(2)>'
               '<a href="javascript:alert(3)">there</a><iframe src="https://evil.example">'
               '</iframe><a href="https://ok.example">ok</a></p>')
    [_, read] = read_all(remark42_backup(tmp_path, [r42_comment(1, text=hostile, orig=None)]))
    assert_inert(read.html)
    assert read.html == sanitize(hostile) and "alert" not in read.html
    assert 'href="https://ok.example"' in read.html
    assert read.text == "Hithere[ok](https://ok.example)"  # Markdown, keeping the link


NOT_BACKUPS = {
    "xml": (lambda tmp: DATA / "disqus.xml",
            "this is not a Remark42 backup: line 1: the line is not JSON"),
    "gzipped xml": (lambda tmp: _written(tmp, gzip.compress((DATA / "disqus.xml").read_bytes())),
                    "this is not a Remark42 backup: line 1: the line is not JSON"),
    "empty": (lambda tmp: _written(tmp, b""), "this is not a Remark42 backup: the file is empty"),
    "a comment first": (lambda tmp: remark42_backup(tmp, [], meta=SAMPLE[0]),
                        "this is not a Remark42 backup: line 1 is not its metadata"),
    "a list first": (lambda tmp: remark42_backup(tmp, [], meta="[]"),
                     "this is not a Remark42 backup: line 1 is not its metadata"),
    "version 2": (lambda tmp: remark42_backup(tmp, SAMPLE, meta=R42_META | {"version": 2}),
                  "a Remark42 backup that can be read: its version is 2; Remark42 writes version 1"),
    "version as text": (lambda tmp: remark42_backup(tmp, [], meta='{"version": "1"}'),
                        "its version is '1'"),
    "gzip magic, then garbage": (lambda tmp: _written(tmp, b"\x1f\x8bnot gzip at all"),
                                 "this is not a readable Remark42 backup: the file is damaged "
                                 "at line 1: Unknown compression method"),
}


def _written(tmp_path, data: bytes):
    path = tmp_path / "backup.gz"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("make, message", NOT_BACKUPS.values(), ids=NOT_BACKUPS)
def test_a_file_that_is_not_a_remark42_backup_is_rejected_at_once(tmp_path, make, message):
    items = remark42.read(make(tmp_path), lambda size: None)
    with pytest.raises(SourceRejected) as rejected:
        next(items)
    assert message in str(rejected.value)


def test_a_truncated_gzip_file_is_rejected_after_what_could_be_read(tmp_path):
    path = remark42_backup(tmp_path, SAMPLE, compress=True)
    path.write_bytes(path.read_bytes()[:-30])
    items = remark42.read(path, lambda size: None)
    assert next(items) == Thread(ref=R42_FIRST, name=f"Remark42 thread {R42_FIRST} (line 2)",
                                 url=R42_FIRST)
    with pytest.raises(SourceRejected, match="the file is damaged at line"):
        list(items)


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_large_backup_is_streamed(tmp_path, compress):
    """20,000 comments on 100 articles, with random words so that gzip cannot shrink them to
    nothing: the first items come out when a small part of the file has been read, and progress
    is told in steps that add up to the file's size."""
    records = (r42_comment(n, f"https://news.example/article-{n % 100}.html",
                           orig=secrets.token_hex(100), text=f"<p>{secrets.token_hex(100)}</p>",
                           pid=n - 100 if n > 100 else None)
               for n in range(1, 20_001))
    path = remark42_backup(tmp_path, records, compress=compress)
    size, reported = path.stat().st_size, []
    items = remark42.read(path, reported.append)
    first = [next(items), next(items)]
    assert [type(item) for item in first] == [Thread, Foreign]
    assert sum(reported) < size / 10
    rest = list(items)
    assert sum(isinstance(item, Foreign) for item in first + rest) == 20_000
    assert sum(isinstance(item, Thread) for item in first + rest) == 100
    assert not any(isinstance(item, Invalid) for item in rest)
    assert sum(reported) == size and len(reported) > 20


def test_a_backup_imports_through_the_command_and_a_second_time_writes_nothing(app, tmp_path):
    source = remark42_backup(tmp_path, SAMPLE)
    first = run_import(app, "remark42", source, "--allow-unknown-threads")
    assert first.exit_code == 0, first.output
    document = exported(app)
    assert [c["author"] for c in document["comments"]][:2] == ["Ann", "Bo <3"]
    assert document["comments"][1]["parent"] == document["comments"][0]["id"]
    again = run_import(app, "remark42", source, "--allow-unknown-threads")
    assert again.exit_code == 0 and "Nothing to import" in again.stdout
    assert exported(app) == document
