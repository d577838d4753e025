"""Fixtures of the export and import tests: the import target (`app`) is an empty database of
each backend; `source_app` is a populated SQLite database to export from."""

import pytest

from comments_service import create_app
from comments_service.core import moderation
from comments_service.core.comment import PENDING, REJECTED
from comments_service.core.privacy import hash_ip
from comments_service.core.render import render
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database
from comments_service.core.storage.addresses import confirm_address
from comments_service.core.storage.imported import remember_imported
from comments_service.core.storage.subscriptions import (confirm_subscription, subscribe,
                                                         subscription_of)
from comments_service.core.storage.tables import comments
from comments_service.db import engine as app_engine


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


#: The addresses of populate's reply subscriptions and confirmed address (no comment has them).
SUBSCRIBER, UNCONFIRMED, TRUSTED = "replies@example.net", "maybe@example.net", "trusted@example.com"


def populate(engine) -> None:
    """Every kind of stored data: replies three deep, an edit, an edit waiting for a moderator,
    votes, a "[deleted]" placeholder, a gap in the ids, pending and rejected comments, a locked
    thread without comments, non-ASCII; moderator actions logged (one about a comment deleted
    since), import keys (one whose comment is gone), reply subscriptions (one confirmed, one
    deleted with its comment) and a confirmed address."""
    with database.connect(engine, write=True) as conn, conn.begin():
        top = add_comment(conn, "first-article", author="Zoë", email="zoe@example.org",
                          website="https://zoe.example", text="Grüße — *wow* 👋",
                          address="192.0.2.1")
        middle = add_comment(conn, "first-article", parent=top, address="2001:db8::1")
        reply = add_comment(conn, "first-article", parent=middle, text="A [link](https://example.org)")
        stored.propose_edit(conn, reply, text="Better *link*", html=render("Better *link*"))
        conn.execute(comments.update().where(comments.c.id == reply).values(likes=12, dislikes=3))
        stored.edit_comment(conn, top, text="Edited text", html=render("Edited text"))
        stored.delete_comment(conn, middle)  # has a reply: becomes a placeholder
        gap = add_comment(conn, "first-article")
        subscribe(conn, gap, "gone@example.net")  # deleted with its comment: a gap in the ids
        subscribe(conn, top, SUBSCRIBER)
        confirm_subscription(conn, subscription_of(conn, top).id)
        subscribe(conn, reply, UNCONFIRMED)
        confirm_address(conn, TRUSTED)
        add_comment(conn, "second-article", state=PENDING, email="new@example.org")
        moderation.moderate(conn, "ann", moderation.REJECT, [add_comment(conn, "second-article")])
        moderation.moderate(conn, "ann", moderation.DELETE, [gap], reason="Off topic")
        moderation.set_thread_locked(conn, "Zoë's moderator", "closed-article", True)
        remember_imported(conn, "isso", [("41", top), ("40", None)])
        conn.execute(comments.update().where(comments.c.state == PENDING).values(flags="links"))
        conn.execute(comments.update().where(comments.c.state == REJECTED)
                     .values(moderation_reason="Personal attack"))


@pytest.fixture
def source_app(make_app, tmp_path):
    source = make_app(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    with source.app_context():
        populate(app_engine())
    return source
