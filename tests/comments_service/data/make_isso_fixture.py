"""Write isso-<major.minor>.db: an Isso database filled by Isso itself, through its HTTP API.

Run by hand, never by the test suite (the file's name keeps pytest away from it):

    python tests/comments_service/data/make_isso_fixture.py                    # isso-0.14.db
    python tests/comments_service/data/make_isso_fixture.py --version 0.13.0   # isso-0.13.db

What the importer meets in a real Isso database is what Isso's own code stores, not what its
schema allows: Isso HTML-escapes author, email and website on the way in, normalises websites,
counts likes and dislikes, keeps a Bloom filter of voters, stores the reply-subscription flag as
sent, flattens replies to one level, blanks a deleted comment that has replies (mode 4) and
removes one that has none, and keeps unmoderated comments at mode 2. So this script installs the
real Isso in a throwaway venv (for 0.14.0 the bench's .venv-isso, made with the same command as
bench/service.py ensure_isso()), writes an isso.cfg in a temporary directory, then runs itself
with that venv's python (`--drive`): Isso's WSGI app (isso.make_app, with all its middleware) is
driven in-process by werkzeug's test Client through the public API a browser uses:

    POST /new?uri=...                    new comments and replies (JSON, as embed.js sends it)
    PUT /id/<id>, DELETE /id/<id>        edits and deletions, with the cookie Isso returned
    POST /id/<id>/like, /dislike         votes, each from its own REMOTE_ADDR
    POST /id/<id>/activate|delete|edit/<key>   the moderator's signed links (the key is signed
                                         as Isso's notification mail signs it)
    GET /id/<id>/unsubscribe/<email>/<key>     the reply-notification unsubscribe link

Moderation is on, so every comment arrives pending (mode 2); the moderator then activates all
but a few. The content is fixed (SCRIPT below); only the times are those of the run. The output
is overwritten, vacuumed, and a summary is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DEFAULT_VERSION = "0.14.0"
SITE = "http://localhost"

CONFIG = """\
[general]
dbpath = {dbpath}
; the site Isso serves; the test client's Origin. Isso never needs to reach it: every POST
; sends the thread's title, so no page is fetched.
host = {site}
; edit/delete cookies (and so PUT/DELETE) stay valid this long
max-age = 1h
notify = stdout
reply-notifications = false
gravatar = false

[moderation]
enabled = true
approve-if-email-previously-approved = false
purge-after = 3650d

[guard]
; the defaults (2 comments a minute per address, 3 top-level comments per thread, no reply to
; oneself while the comment is editable) would refuse this script's bursts
enabled = false

[hash]
salt = fixture-salt
algorithm = pbkdf2
"""

# Who posts and votes: Isso stores REMOTE_ADDR anonymised (IPv4 to /24, IPv6 to /48, IPv4-mapped
# IPv6 as IPv4), so every name below is a distinct stored address except eve, who shares bob's.
PEOPLE = {
    "ann": "192.0.2.10",
    "bob": "198.51.100.23",
    "cy": "203.0.113.5",
    "dee": "2001:db8:abcd:12::7",
    "eve": "::ffff:198.51.100.99",
}
VOTERS = [f"2001:db8:{n:x}::1" for n in range(1, 10)]  # nine distinct /48s

THREADS = {
    "budget": ("/2024/budget-vote.html", "Council passes the 2024 budget"),
    "council": ("/news/city-council/", "City council"),
    "festival": ("/2024/river-festival.html", "River festival 2024"),
    "tram": ("/2024/tram-line.html", "The new tram line"),
    # as a browser's location.pathname gives it (embed.js sends that when no data-isso-id)
    "cafe": ("/2024/caf%C3%A9-opening.html", "Café opening"),
}


def post(label, thread, who, text, *, author=None, email=None, website=None, parent=None,
         notification=0, pending=False, raw=None):
    """A comment as embed.js posts it (every field present, empty ones null, notification 0/1).
    `raw` replaces the body by exactly that (an API client's); `pending` leaves it unmoderated."""
    body = raw if raw is not None else {
        "text": text, "author": author, "email": email, "website": website, "parent": parent,
        "title": THREADS[thread][1], "notification": notification}
    return {"do": "post", "label": label, "thread": thread, "who": who, "body": body,
            "pending": pending}


SCRIPT = [
    # --- /2024/budget-vote.html: escaping, nesting, edits, deletions, votes, moderation
    post("a1", "budget", "ann", "Finally! The budget funds the new library.\n"
         "A second line after a single newline.",
         author="Tom & Jerry", email="tom&jerry@example.org",
         website="https://example.org/?a=1&b=2", notification=1),
    post("a2", "budget", "bob",
         "Agreed. See [the minutes](https://example.org/minutes?id=7&lang=en).",
         author="O'Brien", email="obrien@example.ie", website="example.ie/blog", parent="a1"),
    post("a3", "budget", "cy", "<script>alert('x')</script> typed as text, and **bold** markdown.",
         author="<b>Bold</b>", email="bold@example.com", parent="a2", notification=1),
    post("a4", "budget", "dee", "Fourth level down: a reply to a reply to a reply.",
         author='"quoted"', website="https://example.org/it's", parent="a3"),
    post("a5", "budget", "eve", "Très bien, mais le coût du tramway ? Ça m'inquiète.\n\n"
         "# Heading typed in a comment\n\nLast paragraph.",
         author="Marie-Hélène Dupré", email="mh@example.fr", notification=1),
    post("a6", "budget", "dee", "日本語のコメントです。予算は妥当だと思います 👍",
         author="山田太郎", parent="a5", email="mh@example.fr", notification=1),
    post("a7", "budget", "ann", "Anonymous, with a fenced block:\n\n```\nSELECT * FROM budget;\n"
         "<not a tag> & an ampersand\n```\n"),
    post("a8", "budget", "bob", "Everyone should like this one.", author="Vote Magnet"),
    post("a9", "budget", "cy", "Teh budget is too big.", author="Edited Ed"),
    post("a10", "budget", "dee", "I will delete this, but it has a reply.", author="Will Delete",
         email="gone@example.org", website="https://gone.example", notification=1),
    post("a11", "budget", "ann", "Replying before it disappears.", author="Replier",
         parent="a10"),
    post("a12", "budget", "bob", "Deleted by its author; it has no replies.", author="Leaf"),
    post("a13", "budget", "cy", "First comment, waiting for moderation.", author="Newcomer",
         email="new@example.org", pending=True),
    post("a14", "budget", "eve", "A reply still in the moderation queue.",
         author="Pending Reply", parent="a1", pending=True),
    post("a15", "budget", "dee", "Cheap pills https://spam.example", author="Spammer",
         pending=True),
    post("a16", "budget", "ann", "Posted by a script that sends no `notification` field.",
         raw={"text": "Posted by a script that sends no `notification` field.",
              "author": "API client", "title": THREADS["budget"][1]}),
    post("a17", "budget", "bob", "Posted by a script sending JSON true for notification.",
         raw={"text": "Posted by a script sending JSON true for notification.",
              "author": "API client 2", "email": "api@example.org", "notification": True,
              "title": THREADS["budget"][1]}),
    post("a18", "budget", "cy", "This one's author and website change by PUT.",
         author="Tom & Jerry", website="https://example.org/"),
    post("a19", "budget", "dee", "The moderator will rewrite this text.", author="Moderated"),
    {"do": "edit", "label": "a9", "who": "cy",  # embed.js's edit sends the text only
     "body": {"text": "The budget is too big. (edited: typo)"}},
    {"do": "edit", "label": "a18", "who": "cy",
     "body": {"text": "This one's author and website changed by PUT.",
              "author": "Tom & Jerry <edited>", "website": "example.net/?q=a&b=c"}},
    {"do": "moderate", "action": "edit", "label": "a19",
     "body": {"text": "[Edited by the moderator] Keep it civil.", "author": "Moderated",
              "website": None}},
    {"do": "delete", "label": "a10", "who": "dee"},  # has a reply: kept blanked, mode 4
    {"do": "delete", "label": "a12", "who": "bob"},  # no reply: row removed
    {"do": "moderate", "action": "delete", "label": "a15"},  # pending spam: removed
    {"do": "unsubscribe", "label": "a5", "email": "mh@example.fr"},

    # --- /news/city-council/: a chain of replies, a root deleted then its last reply deleted
    post("b1", "council", "ann", "Who chairs the council now?", author="Jane Q. Public",
         email="jane@example.com", notification=1),
    post("b2", "council", "bob", "The mayor, since March.", author="Clerk", parent="b1"),
    post("b3", "council", "cy", "Source? <https://example.gov/council>", author="Skeptic & Co",
         parent="b2"),
    post("b4", "council", "bob", "Here: https://example.gov/council?year=2024&page=2",
         author="Clerk", parent="b3"),
    post("b5", "council", "dee", "🎉🎉 Great news 🎉", author="Emoji Fan 😀"),
    post("b6", "council", "eve", "A list:\n\n- one\n- two\n- three\n\nand `inline code`.",
         author="Lister", website="http://localhost:8080/~lister"),
    post("b7", "council", "ann", "Windows line\r\nendings\r\n", author="CRLF"),
    post("b8", "council", "cy", "This root goes, then its only reply goes.", author="Gone Root"),
    post("b9", "council", "dee", "Its only reply.", author="Gone Reply", parent="b8"),
    post("b10", "council", "ann", "> quoted text\n\nand an answer below the quote.",
         author="Quoter", email="quoter@example.com"),
    {"do": "delete", "label": "b8", "who": "cy"},  # mode 4 while b9 exists...
    {"do": "delete", "label": "b9", "who": "dee"},  # ...then Isso removes both

    # --- /2024/river-festival.html: typed HTML, single newlines, two edits, votes
    post("c1", "festival", "ann", "Lovely evening by the river.", author="Ann"),
    post("c2", "festival", "bob", "Agreed!", author="Bob", parent="c1"),
    post("c3", "festival", "cy", '<img src=x onerror=alert(1)> and '
         '<a href="javascript:alert(1)">a link</a>', author="Tester"),
    post("c4", "festival", "dee", "Line one\nline two\nline three", author="Poet"),
    post("c5", "festival", "eve", "| a | b |\n|---|---|\n| 1 | 2 |", author="Tabler"),
    post("c6", "festival", "ann", "First version.", author="Twice Edited",
         email="twice@example.org", notification=1),
    post("c7", "festival", "bob", "I disagree with everything.", author="Contrarian",
         parent="c6"),
    post("c8", "festival", "cy", "Fireworks at 22:00 — *don't miss them*.", author="Info"),
    {"do": "edit", "label": "c6", "who": "ann", "body": {"text": "Second version."}},
    {"do": "edit", "label": "c6", "who": "ann", "body": {"text": "Third version, final."}},

    # --- /2024/tram-line.html: its only comment is deleted, so Isso drops the thread too
    post("d1", "tram", "bob", "Will the tram reach the hospital?", author="Rider"),
    {"do": "delete", "label": "d1", "who": "bob"},

    # --- /2024/caf%C3%A9-opening.html: a percent-encoded uri as browsers send it
    post("e1", "cafe", "eve", "Bonne ouverture !", author="Zoé", email="zoe@example.fr",
         notification=1),
    post("e2", "cafe", "ann", "Merci !", author="Café owner", parent="e1"),
]

# Votes: (label, voter, up?). A second vote from one address, and one by the author's own
# address, are refused by Isso (its Bloom filter) and change nothing.
VOTES = (
    [("a8", v, True) for v in VOTERS[:5]] + [("a8", v, False) for v in VOTERS[5:7]]
    + [("a1", VOTERS[0], True), ("a1", VOTERS[1], True), ("a1", VOTERS[0], True),
       ("a1", PEOPLE["ann"], True),  # the author: refused
       ("a3", VOTERS[2], False), ("a10", VOTERS[3], True), ("b1", VOTERS[4], True),
       ("b5", VOTERS[0], True), ("b5", VOTERS[1], True), ("b5", VOTERS[2], True),
       ("b5", VOTERS[3], False), ("c7", VOTERS[0], False), ("c7", VOTERS[1], False),
       ("c3", VOTERS[8], True), ("e1", PEOPLE["ann"], True)]
)


# ---------------------------------------------------------------------------------------------
# Inside the Isso venv (--drive): Isso's app, driven through its HTTP API.

def drive(config_path: str, report_path: str) -> None:
    import logging

    from isso import config, make_app
    from itsdangerous import URLSafeTimedSerializer
    from werkzeug.test import Client

    logging.getLogger("isso").setLevel(logging.WARNING)  # not the stdout notifier's chatter
    conf = config.load(config.default_file(), config_path)
    client = Client(make_app(conf))
    dbpath = conf.get("general", "dbpath")
    with sqlite3.connect(dbpath) as db:  # Isso's secret, as its notification mail uses it
        session_key = db.execute(
            "SELECT value FROM preferences WHERE key = 'session-key'").fetchone()[0]
    db.close()
    signer = URLSafeTimedSerializer(session_key)
    ids: dict[str, int] = {}

    def call(method, path, who="127.0.0.1", body=None, expect=(200,)):
        address = PEOPLE.get(who, who)
        kwargs = {} if body is None else {"json": body}
        response = client.open(path, method=method, environ_base={"REMOTE_ADDR": address},
                               headers={"Origin": SITE, "Referer": SITE + "/"}, **kwargs)
        if response.status_code not in expect:
            raise SystemExit(f"{method} {path} -> {response.status_code}: "
                             f"{response.get_data(as_text=True)[:500]}")
        return response

    def moderate(action, label, body=None):
        key = signer.dumps(ids[label])
        call("POST", f"/id/{ids[label]}/{action}/{key}", body=body)

    for step in SCRIPT:
        do = step["do"]
        if do == "post":
            body = dict(step["body"])
            if isinstance(body.get("parent"), str):
                body["parent"] = ids[body["parent"]]
            uri = THREADS[step["thread"]][0]
            response = call("POST", f"/new?uri={quote(uri, safe='')}", step["who"], body,
                            expect=(201, 202))
            ids[step["label"]] = response.get_json()["id"]
            if not step["pending"]:
                moderate("activate", step["label"])
        elif do == "edit":
            call("PUT", f"/id/{ids[step['label']]}", step["who"], step["body"])
        elif do == "delete":
            call("DELETE", f"/id/{ids[step['label']]}", step["who"])
        elif do == "moderate":
            moderate(step["action"], step["label"], step.get("body"))
        elif do == "unsubscribe":
            email = step["email"]
            key = signer.dumps(("unsubscribe", email))
            call("GET", f"/id/{ids[step['label']]}/unsubscribe/{quote(email)}/{key}")
        else:
            raise SystemExit(f"unknown step {step!r}")

    votes = []
    for label, voter, up in VOTES:
        response = call("POST", f"/id/{ids[label]}/{'like' if up else 'dislike'}", voter)
        votes.append([label, voter, up, response.get_json()])
    Path(report_path).write_text(json.dumps({"ids": ids, "votes": votes}), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Outside: the venv, the config, the output.

def venv_for(version: str) -> Path:
    """0.14.0 shares the bench's venv; other versions get their own."""
    return ROOT / (".venv-isso" if version == DEFAULT_VERSION else f".venv-isso-{version}")


def ensure_venv(venv: Path, version: str) -> Path:
    """The venv's python; the venv is made (as bench/service.py ensure_isso() makes it) unless
    it exists."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"isso=={version}",
                        "gunicorn>=22,<28"], check=True)
    return python


def installed_version(python: Path) -> str:
    return subprocess.run([str(python), "-c", "from importlib.metadata import version; "
                           "print(version('isso'))"], check=True, capture_output=True,
                          text=True).stdout.strip()


def summary(path: Path, report: dict) -> str:
    with sqlite3.connect(path) as db:
        lines = [f"{path} ({path.stat().st_size} bytes, user_version "
                 f"{db.execute('PRAGMA user_version').fetchone()[0]})"]
        for uri, count in db.execute("SELECT t.uri, COUNT(c.id) FROM threads t LEFT JOIN "
                                     "comments c ON c.tid = t.id GROUP BY t.id ORDER BY t.id"):
            lines.append(f"  thread {uri}: {count} comments")
        modes = dict(db.execute("SELECT mode, COUNT(*) FROM comments GROUP BY mode"))
        lines.append(f"  modes: {modes}  (1 published, 2 pending, 4 deleted with replies)")
        likes, dislikes = db.execute("SELECT SUM(likes), SUM(dislikes) FROM comments").fetchone()
        edited = db.execute("SELECT COUNT(*) FROM comments WHERE modified IS NOT NULL").fetchone()
        lines.append(f"  likes {likes}, dislikes {dislikes}, edited {edited[0]}")
    db.close()
    with sqlite3.connect(path) as db:
        kept = {row[0] for row in db.execute("SELECT id FROM comments")}
    db.close()
    # Isso's ids are SQLite rowids without AUTOINCREMENT: removing the newest row frees its id
    # for the next comment, so a label is gone if its id is not kept or was given again later.
    labels = list(report["ids"].items())
    gone = [label for n, (label, key) in enumerate(labels)
            if key not in kept or any(later == key for _, later in labels[n + 1:])]
    lines.append(f"  posted {len(labels)}, stored {len(kept)}, removed: {', '.join(gone)}")
    lines.append("  labels: " + ", ".join(f"{k}={v}" for k, v in report["ids"].items()))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default=DEFAULT_VERSION,
                        help=f"Isso's version on PyPI (default {DEFAULT_VERSION})")
    parser.add_argument("--venv", type=Path, help="the venv to use or make (default "
                        ".venv-isso for 0.14.0, else .venv-isso-<version>, at the repo root)")
    parser.add_argument("--output", type=Path,
                        help="default: isso-<major.minor>.db next to this script")
    parser.add_argument("--drive", nargs=2, metavar=("CONFIG", "REPORT"),
                        help=argparse.SUPPRESS)  # inside the venv
    args = parser.parse_args()
    if args.drive:
        drive(*args.drive)
        return

    started = time.monotonic()
    major_minor = ".".join(args.version.split(".")[:2])
    output = args.output or HERE / f"isso-{major_minor}.db"
    python = ensure_venv(args.venv or venv_for(args.version), args.version)
    if (found := installed_version(python)) != args.version:
        raise SystemExit(f"{python} has Isso {found}, not {args.version}")
    ready = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="isso-fixture-") as work:
        work = Path(work)
        dbpath = work / "comments.db"
        config_path = work / "isso.cfg"
        config_path.write_text(CONFIG.format(dbpath=dbpath, site=SITE), encoding="utf-8")
        report_path = work / "report.json"
        # -I: the venv's own site-packages only, nothing from this project or PYTHONPATH
        subprocess.run([str(python), "-I", str(Path(__file__).resolve()), "--drive",
                        str(config_path), str(report_path)], check=True, cwd=work,
                       env={k: v for k, v in os.environ.items() if k != "ISSO_SETTINGS"})
        report = json.loads(report_path.read_text(encoding="utf-8"))
        output.unlink(missing_ok=True)
        shutil.copyfile(dbpath, output)
    with sqlite3.connect(output) as db:
        db.execute("VACUUM")
    db.close()
    print(summary(output, report))
    print(f"Isso {args.version}: venv ready in {ready - started:.1f} s, "
          f"generation {time.monotonic() - ready:.1f} s")


if __name__ == "__main__":
    main()
