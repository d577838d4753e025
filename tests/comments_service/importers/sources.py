"""Sources to import and how to import them, for the importer tests: an Isso database built
here with Isso 0.14's own schema, the Disqus and WordPress samples in data/ (and variants of
them), and the import command run as an operator would (`import --from ...`)."""

import json
import sqlite3
from pathlib import Path

from comments_service import security
from comments_service.core.privacy import hash_ip
from comments_service.db import engine as app_engine
from comments_service.transfer.document import FORMAT, export_document

DATA = Path(__file__).parent.parent / "data"
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
BOTH_THREADS = [{"slug": "first-article", "locked": False},
                {"slug": "second-article", "locked": False}]


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


def isso_with(tmp_path, index, **changes) -> Path:
    """An Isso database of ISSO_COMMENTS with the fields of comment number `index` changed."""
    fields = ("tid", "id", "parent", "created", "modified", "mode")
    rows = [list(row) for row in ISSO_COMMENTS]
    for field, value in changes.items():
        rows[index][fields.index(field)] = value
    return isso_database(tmp_path, comments=rows)


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


def variant_case(tmp_path, source: str, old: str, new: str, *named: str):
    """A bad-source case: the sample `<source>.xml` with the first `old` replaced by `new`, to be
    refused with every fragment of `named` in the message."""
    return source, variant(tmp_path, f"{source}.xml", old, new), list(named)


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
        return export_document(conn)


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


def case_id(bad_source) -> str:
    """The test id of a bad-source case: its function's name."""
    return bad_source.__name__.strip("_")


def assert_refused(app, source, path, named) -> None:
    """Importing `path` as `source` fails with every fragment of `named` in the message, and
    nothing is written."""
    result = run_import(app, source, path)
    assert result.exit_code == 1
    for fragment in named:
        assert fragment in result.stderr
    assert "Nothing was imported." in result.stderr
    written = exported(app)
    assert written["format"] == FORMAT
    assert {key: value for key, value in written.items() if isinstance(value, list) and value} == {}


# Remark42 backups, written here in the shapes Remark42's export writes (backend/app/migrator/
# native.go: a metadata line, then one store.Comment per line; store/comment.go, store/user.go,
# store/service/service.go: UserMetaData, PostMetaData) ----------------------------------------

R42_FIRST = "https://news.example/first-article.html"
R42_SECOND = "https://news.example/2020/second-article/"
R42_IP = "5b0e7c3a9d1f24e68c0a7b3e1d9f5c2a8e4b6d10"  # Remark42 keeps an HMAC-SHA1 of the address
R42_META = {
    "version": 1,
    "users": [
        {"id": "github_ann", "blocked": {"status": False, "until": "0001-01-01T00:00:00Z"},
         "verified": True, "details": {"user_id": "github_ann", "email": "ann@example.org"}},
        {"id": "anonymous_bo", "blocked": {"status": True, "until": "2030-01-01T00:00:00Z"},
         "verified": False, "details": {"user_id": ""}},
    ],
    "posts": [{"url": R42_FIRST, "read_only": True}],
}


def r42_id(number: int) -> str:
    """A comment id as Remark42 makes them (a UUID)."""
    return f"6f1c2b9e-4d7a-4c1e-9b3f-{number:012d}"


def r42_user(name: str, user_id: str, ip: str = R42_IP, **flags) -> dict:
    return {"name": name, "id": user_id, "picture": "", "ip": ip, "admin": False, **flags}


def r42_comment(number: int, url: str = R42_FIRST, *, pid: int | None = None,
                text: str = "<p>Hello</p>\n", orig: str | None = "Hello", user: dict | None = None,
                time: str = "2020-01-01T09:00:00Z", site: str = "news", **fields) -> dict:
    """One exported comment, its fields in store.Comment's order (`fields` go after `time`:
    edit, pin, delete, imported, title; or replace any field)."""
    record = {"id": r42_id(number), "pid": "" if pid is None else r42_id(pid), "text": text}
    if orig is not None:
        record["orig"] = orig
    record |= {"user": user or r42_user("Ann", "github_ann"),
               "locator": {"site": site, "url": url}, "score": 0, "vote": 0, "time": time}
    return record | fields


def remark42_backup(tmp_path, records, *, meta=R42_META, compress=False,
                    name="backup-news-20200201") -> Path:
    """A backup of the metadata line `meta` (a dict, or raw text or bytes) and one line per
    record (a dict, or raw text or bytes), gzip-compressed as Remark42 writes it if `compress`."""
    import gzip  # imported here to keep this section self-contained

    def line(record) -> bytes:
        if isinstance(record, dict):
            record = json.dumps(record, ensure_ascii=False)
        return record if isinstance(record, bytes) else record.encode("utf-8")
    data = b"".join(line(record) + b"\n" for record in [meta, *records])
    path = tmp_path / (f"{name}.gz" if compress else f"{name}.json")
    path.write_bytes(gzip.compress(data) if compress else data)
    return path
