"""flaskr-style fixture ladder for the comments service: manifest + database -> app -> client ->
`api` (helpers that speak the API like the widget does).

Every test gets a fresh SQLite file. Modules that must also run on PostgreSQL use the
`database_url` fixture parametrised by `database_backends` below.
"""

import asyncio
import email
import email.policy
import json
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import create_engine, make_url, select, text
from werkzeug.security import generate_password_hash

from comments_service import create_app
from comments_service.baker import close_all as close_all_bakers
from comments_service.core.comment import APPROVED
from comments_service.core.privacy import hash_ip
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage.tables import mail_outbox
from comments_service.db import engine as app_engine
from comments_service.notifications import mail
from comments_service.notifications.sender import close_all
from tests.conftest import require_backend

ORIGIN = "http://localhost"  # the test client's own origin
THREADS = [
    {"slug": "first-article", "url": "/first-article.html", "title": "First article",
     "published": "2026-01-01T09:00:00+00:00", "open": True},
    {"slug": "second-article", "url": "/second-article.html", "title": "Second <article>",
     "published": "2026-01-02T09:00:00+00:00", "open": True},
    {"slug": "closed-article", "url": "/closed-article.html", "title": "Closed article",
     "published": "2025-01-01T09:00:00+00:00", "open": False},
]


@pytest.fixture
def manifest_path(tmp_path):
    path = tmp_path / "output" / "comments" / "threads.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(THREADS), encoding="utf-8")
    return path


def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


@pytest.fixture
def database_url(tmp_path):
    return sqlite_url(tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_database_url(request, tmp_path):
    """A fresh database on each backend: a SQLite file, or a new schema on PostgreSQL that is
    dropped afterwards so reruns start clean."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with postgres_schema_url() as url:
        yield url


@pytest.fixture
def engine(any_database_url):
    """An engine on a migrated, empty database of each backend (storage-level tests)."""
    engine = database.engine_from_url(any_database_url)
    database.upgrade_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def add(engine):
    """Insert a comment through the storage layer (author Ann, approved unless told); returns its
    id."""

    def _add(slug="first-article", *, parent=None, state=APPROVED, email=None, text="Hello there"):
        with database.connect(engine, write=True) as conn:
            row = stored.create_comment(
                conn, slug=slug, parent=parent, author="Ann", email=email,
                website="https://ann.example", text=text, html=f"<p>{text}</p>",
                ip_hash=hash_ip("salt", "192.0.2.1"), state=state)
            conn.commit()
        return row.id

    return _add


def run(engine, function, *args, **kwargs):
    """Call a Connection-taking storage function in its own committed write transaction."""
    with database.connect(engine, write=True) as conn:
        result = function(conn, *args, **kwargs)
        conn.commit()
    return result


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """The URL of a new, empty schema on the test PostgreSQL server (set as its search_path),
    dropped on exit so reruns start clean."""
    server = make_url(require_backend("COMMENTS_TEST_POSTGRES_URL", "PostgreSQL"))
    schema = f"comments_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield server.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def app_config(database_url, manifest_path):
    return {
        "TESTING": True,
        "SECRET_KEY": "test secret key",
        "DATABASE_URL": database_url,
        "THREADS_MANIFEST": str(manifest_path),
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    mail.close(app)
    with app.app_context():
        app_engine().dispose()


@pytest.fixture(autouse=True)
def no_mail_thread_outlives_its_test():
    """Apps a test makes itself start mail and re-bake threads too (at their first request):
    stop them."""
    yield
    close_all()
    close_all_bakers()


def outbox_rows(app) -> list:
    """The rows of `app`'s mail outbox, oldest first."""
    with app.app_context(), app_engine().connect() as conn:
        return list(conn.execute(select(mail_outbox).order_by(mail_outbox.c.id)))


@pytest.fixture
def client(app):
    return app.test_client()


class CommentsAPI:
    """Calls the API as the widget does (same-origin, JSON) and checks the happy paths."""

    def __init__(self, client):
        self.client = client

    def post(self, slug="first-article", *, headers=None, **fields):
        body = {"author": "Reader", "text": "A thoughtful comment."} | fields
        return self.client.post(f"/api/threads/{slug}/comments", json=body,
                                headers={"Origin": ORIGIN} | (headers or {}))

    def comment(self, slug="first-article", **fields) -> dict:
        """Post a comment that must be published; return the 201 body."""
        response = self.post(slug, **fields)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    def thread(self, slug="first-article", **params) -> dict:
        response = self.client.get(f"/api/threads/{slug}/comments", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def edit(self, comment_id, token, text="Changed my mind, here it is.", **body):
        return self.client.patch(f"/api/comments/{comment_id}", json={"text": text} | body,
                                 headers={"Authorization": f"Bearer {token}", "Origin": ORIGIN})

    def delete(self, comment_id, token):
        return self.client.delete(f"/api/comments/{comment_id}",
                                  headers={"Authorization": f"Bearer {token}", "Origin": ORIGIN})


@pytest.fixture
def api(client):
    return CommentsAPI(client)


def error_of(response) -> dict:
    """The `error` object of a JSON error response."""
    assert response.is_json, response.get_data(as_text=True)
    return response.get_json()["error"]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def assert_inert(html: str) -> None:
    """No script/style element, no event-handler attribute, no URL outside http/https/mailto."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.elements:
        assert tag not in {"script", "style", "iframe", "object", "embed", "img", "svg"}, html
        for name, value in attrs:
            assert not name.startswith("on"), html
            if name in {"href", "src", "action", "formaction"}:
                assert (value or "").lower().startswith(("http://", "https://", "mailto:")), html


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler keeping every message it receives. While `gate` is clear, each delivery
    waits in the DATA step (the server is "blocked") until the test sets it."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.gate = threading.Event()
        self.gate.set()
        #: Set once a delivery has reached the DATA step (and waits there while `gate` is clear).
        self.in_data = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.in_data.set()
        await asyncio.get_running_loop().run_in_executor(None, self.gate.wait)
        content = envelope.content.replace(b"\r\n", b"\n")  # SMTP line ends, as a mailbox stores them
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


@contextmanager
def running_smtp_server(port: int) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1:`port` collecting messages in a Mailbox, while inside."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox(port)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox
    finally:
        mailbox.gate.set()
        controller.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 collecting messages in a Mailbox."""
    with running_smtp_server(free_port()) as mailbox:
        yield mailbox


def mail_settings(port: int) -> dict:
    """Settings that send the app's mail to 127.0.0.1:`port` (see `smtp_server`)."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": "none",
            "SMTP_FROM": "News comments <comments@news.example.org>",
            "MODERATOR_EMAILS": ["editor@news.example.org", "desk@news.example.org"],
            "SERVICE_URL": "https://news.example.org"}


# Moderators ---------------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"
#: Fast to check (tests log in often); production hashes come from set-password (scrypt).
FAST_HASH = "pbkdf2:sha256:1000"


def admin_users() -> dict[str, str]:
    """COMMENTS_ADMIN_USERS with one moderator, "ann", whose password is PASSWORD."""
    return {"ann": generate_password_hash(PASSWORD, method=FAST_HASH)}


def csrf_of(client) -> str:
    with client.session_transaction("/admin/") as session:
        return session["csrf"]


def log_in(client, name="ann", password=PASSWORD):
    client.get("/admin/login")
    return client.post("/admin/login", data={"csrf_token": csrf_of(client), "name": name,
                                             "password": password})


class Moderator:
    """A logged-in moderator posting the admin forms as a browser would."""

    def __init__(self, client):
        self.client = client
        assert log_in(client).status_code == 303

    def post(self, path, **data):
        return self.client.post(path, data={"csrf_token": csrf_of(self.client)} | data)

    def act(self, action, *ids, **data):
        response = self.post("/admin/moderate", action=action, ids=[str(i) for i in ids], **data)
        assert response.status_code == 303, response.get_data(as_text=True)
        return response

    def page(self, path="/admin/", **params):
        response = self.client.get(path, query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_data(as_text=True)

    def log(self) -> list[list[str]]:
        """The log page's rows as lists of cell texts."""
        rows = re.findall(r"<tr>(.*?)</tr>", self.page("/admin/log"), re.DOTALL)
        cells = [re.findall(r"<td>(.*?)</td>", row, re.DOTALL) for row in rows]
        return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in row] for row in cells if row]
