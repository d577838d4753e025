"""Reply notifications, double opt-in, end to end over a real SMTP server: subscriptions.py (the
confirm / unsubscribe pages), notify.py (which mails, to whom) and notification_store.py."""

import re
from urllib.parse import urlsplit

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from comments_service import create_app, db
from comments_service.core.storage.tables import reply_subscriptions
from comments_service.notifications import mail
from tests.comments_service.conftest import ORIGIN, Moderator, admin_users, error_of, mail_settings, outbox_rows

ANN = {"author": "Ann", "email": "ann@example.org"}
BOB = {"author": "Bob", "email": "bob@example.org"}


@pytest.fixture
def database_url(any_database_url):
    """SQLite and PostgreSQL: token stamps must survive both backends' timestamp round trip."""
    return any_database_url


@pytest.fixture
def app_config(app_config, smtp_server):
    return app_config | mail_settings(smtp_server.port) | {"ADMIN_USERS": admin_users()}


@pytest.fixture
def inbox(app, smtp_server):
    """inbox(address): every message delivered to `address` so far (queue flushed first)."""
    def messages_to(address):
        mail.flush(app)
        return [message for message, recipients in zip(smtp_server.messages, smtp_server.recipients)
                if recipients == [address]]
    return messages_to


def link(message, path) -> str:
    """The service link to `path` in a mail's body."""
    [found] = re.findall(r"https://news\.example\.org(" + re.escape(path) + r"\?token=[\w.\-]+)",
                         message.get_content())
    return found


def subscriptions(app) -> list:
    with app.app_context(), db.engine().connect() as conn:
        return list(conn.execute(select(reply_subscriptions)))


def subscribed(api, inbox, **fields) -> tuple[int, str]:
    """Post Ann's comment asking for replies and confirm it; (comment id, confirm path)."""
    comment = api.comment(**ANN, notify=True, **fields)["comment"]
    confirm = link(inbox("ann@example.org")[-1], "/api/subscriptions/confirm")
    assert api.client.post(confirm).status_code == 200
    return comment["id"], confirm


def test_double_opt_in_reply_mail_and_one_click_unsubscribe(app, api, client, inbox):
    ann = api.comment(**ANN, text="My first comment.", notify=True)["comment"]
    [confirmation] = inbox("ann@example.org")
    assert confirmation["Subject"] == "Confirm reply notifications for your comment on “First article”"
    assert confirmation["List-Unsubscribe"] is None
    assert f"http://localhost/first-article.html#comment-{ann['id']}" in confirmation.get_content()
    confirm = link(confirmation, "/api/subscriptions/confirm")

    api.comment(**BOB, parent=ann["id"], text="Unconfirmed: no mail.")
    page = client.get(confirm)  # what a link scanner does: it must not confirm
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert f'<form method="post" action="{confirm}">' in page.get_data(as_text=True)
    api.comment(**BOB, parent=ann["id"], text="Still unconfirmed: no mail.")
    assert len(inbox("ann@example.org")) == 1 and [row.confirmed for row in subscriptions(app)] == [False]

    assert client.post(confirm).status_code == 200
    reply = api.comment(**BOB, parent=ann["id"], text="Bob's *answer* <b>here</b>.")["comment"]
    [_, notification] = inbox("ann@example.org")
    unsubscribe_url = notification["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url.startswith("https://news.example.org/api/subscriptions/unsubscribe?token=")
    assert notification["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notification["Subject"] == "Bob replied to your comment on “First article”"
    assert not notification.is_multipart() and notification.get_content_type() == "text/plain"
    body = notification.get_content()
    assert "Bob's *answer* <b>here</b>." in body and "bob@example.org" not in body
    assert f"http://localhost/first-article.html#comment-{reply['id']}" in body
    assert unsubscribe_url in body

    unsubscribe = urlsplit(unsubscribe_url)
    one_click = client.post(f"{unsubscribe.path}?{unsubscribe.query}", data="List-Unsubscribe=One-Click",
                            content_type="application/x-www-form-urlencoded")  # no Origin, no CSRF
    assert one_click.status_code == 200 and subscriptions(app) == []
    api.comment(**BOB, parent=ann["id"], text="After unsubscribing: no mail.")
    assert len(inbox("ann@example.org")) == 2

    assert client.post(f"{unsubscribe.path}?{unsubscribe.query}").status_code == 404  # replayed
    replayed = client.post(confirm)
    assert replayed.status_code == 404 and "does not exist any more" in replayed.get_data(as_text=True)


def test_confirming_twice_is_harmless(app, api, client, inbox):
    _, confirm = subscribed(api, inbox)
    assert client.post(confirm).status_code == 200
    assert [row.confirmed for row in subscriptions(app)] == [True]


def test_replying_to_yourself_sends_nothing(api, inbox):
    comment_id, _ = subscribed(api, inbox)
    api.comment(author="Ann again", email="ANN@Example.org", parent=comment_id)
    assert len(inbox("ann@example.org")) == 1  # the confirmation only


def test_held_reply_is_mailed_when_a_moderator_approves_it(app, api, client, inbox):
    comment_id, _ = subscribed(api, inbox)
    app.config["MODERATION"] = "all"
    held = api.post(**BOB, parent=comment_id)
    assert held.status_code == 202 and len(inbox("ann@example.org")) == 1
    reply_id = held.get_json()["comment"]["id"]

    Moderator(client).act("approve", reply_id)  # the admin form, as a moderator does it
    [_, notification] = inbox("ann@example.org")
    assert notification["Subject"] == "Bob replied to your comment on “First article”"


@pytest.mark.parametrize("with_reply", [False, True], ids=["removed", "placeholder"])
def test_deleting_the_comment_deletes_its_subscription(app, api, inbox, with_reply):
    posted = api.comment(**ANN, notify=True)
    if with_reply:
        api.comment(**BOB, parent=posted["comment"]["id"])
    assert len(subscriptions(app)) == 1
    assert api.delete(posted["comment"]["id"], posted["edit_token"]).status_code == 200
    assert subscriptions(app) == []


def test_notify_needs_an_email(api, client):
    assert error_of(api.post(notify=True))["fields"] == {
        "notify": "needs your email address in the Email field"}
    form = client.post("/api/threads/first-article/comments", headers={"Origin": ORIGIN},
                       data={"author": "Ann", "text": "Hello there", "notify": "on"})
    page = form.get_data(as_text=True)
    assert form.status_code == 400 and 'name="notify" type="checkbox" checked' in page
    assert "Email me when someone replies: needs your email address in the Email field." in page


def test_unchecked_checkbox_subscribes_nobody(app, api, client):
    response = client.post("/api/threads/first-article/comments", headers={"Origin": ORIGIN},
                           data={"author": "Ann", "email": "ann@example.org", "text": "Hello there"})
    assert response.status_code == 303 and subscriptions(app) == []


def test_without_mail_nothing_is_stored(app_config):
    app = create_app(app_config | {"SMTP_HOST": ""})
    response = app.test_client().post("/api/threads/first-article/comments", headers={"Origin": ORIGIN},
                                      json=ANN | {"text": "Hello there", "notify": True})
    assert response.status_code == 201
    with app.app_context(), db.engine().connect() as conn:
        assert conn.execute(select(func.count()).select_from(reply_subscriptions)).scalar() == 0


def _tampered(path: str) -> str:
    """`path` with the first character of its token changed (a full 6 bits of base64: changing
    the LAST character can leave the decoded bytes as they were, its low bits being padding)."""
    prefix, _, token = path.partition("token=")
    return f"{prefix}token={'B' if token[0] == 'A' else 'A'}{token[1:]}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_tokens_get_a_clear_page_not_an_error(app, api, client, inbox, method):
    api.comment(**ANN, notify=True)
    confirm = link(inbox("ann@example.org")[0], "/api/subscriptions/confirm")
    token = confirm.partition("token=")[2]
    cases = {
        _tampered(confirm): (400, "This confirmation link is not valid."),
        f"/api/subscriptions/unsubscribe?token={token}": (400, "This unsubscribe link is not valid."),
        "/api/subscriptions/confirm": (400, "This link is incomplete."),
        "/api/subscriptions/confirm?token=" + "x" * 1001: (400, "This link is incomplete."),
        "/api/subscriptions/unsubscribe?token=%FF%00": (400, "This unsubscribe link is not valid."),
    }
    for path, (status, message) in cases.items():
        response = getattr(client, method)(path)
        assert (response.status_code, response.mimetype) == (status, "text/html"), path
        assert message in response.get_data(as_text=True)
    assert [row.confirmed for row in subscriptions(app)] == [False]


def test_expired_confirmation_link(app, api, client, inbox, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_000_000_000)
        api.comment(**ANN, notify=True)
        confirm = link(inbox("ann@example.org")[0], "/api/subscriptions/confirm")
    response = client.post(confirm)
    assert response.status_code == 400 and "has expired" in response.get_data(as_text=True)
    assert [row.confirmed for row in subscriptions(app)] == [False]


def test_subscription_pages_are_rate_limited(app_config):
    app = create_app(app_config | {"RATELIMIT_ENABLED": True, "SUBSCRIPTION_RATE_LIMIT": "2 per minute"})
    client = app.test_client()
    statuses = [client.get("/api/subscriptions/confirm?token=x").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    limited = client.get("/api/subscriptions/confirm?token=x")
    assert "Please wait a little" in limited.get_data(as_text=True) and limited.headers["Retry-After"]


def test_one_click_unsubscribes_are_not_held_to_the_comment_write_limit(app_config):
    """Mail providers send RFC 8058 POSTs for many readers from one address."""
    app = create_app(app_config | {"RATELIMIT_ENABLED": True, "WRITE_RATE_LIMIT": "2 per minute"})
    client = app.test_client()
    statuses = [client.post("/api/subscriptions/unsubscribe?token=x").status_code for _ in range(5)]
    assert statuses == [400] * 5


# Trusted addresses (MODERATION=first) -------------------------------------------------------------

def test_first_comment_trust_comes_from_a_confirmed_address_not_a_typed_one(app, api, client, inbox):
    """MODERATION=first published anyone who typed the address of a reader with an approved
    comment. Now approving mails that address a link, and only once the link is followed do its
    comments (and edits of published ones) skip moderation."""
    app.config["MODERATION"] = "first"
    moderator = Moderator(app.test_client())
    first = api.post(**ANN, text="My first comment.").get_json()
    moderator.act("approve", first["comment"]["id"])
    [message] = inbox("ann@example.org")
    assert message["Subject"] == "Your comment on “First article” is published"
    confirm = link(message, "/api/subscriptions/confirm-address")

    assert api.post(**ANN, text="Approved once, never confirmed.").status_code == 202
    stranger = api.post(author="Mallory", email="ann@example.org", text="Typed her address.")
    assert stranger.status_code == 202
    assert api.edit(first["comment"]["id"], first["edit_token"], text="Edited early.").status_code == 202
    page = client.get(confirm)  # what a link scanner does: it must not confirm
    assert page.status_code == 200 and "Confirm" in page.get_data(as_text=True)
    assert api.post(**ANN, text="Still unconfirmed.").status_code == 202

    assert client.post(confirm).status_code == 200
    assert api.post(**ANN, text="Now trusted.").status_code == 201
    assert api.edit(first["comment"]["id"], first["edit_token"], text="Edited later.").status_code == 200
    moderator.act("approve", stranger.get_json()["comment"]["id"])
    assert len(inbox("ann@example.org")) == 1  # a confirmed address is not asked again


def test_an_address_link_of_a_removed_comment_confirms_nothing(app, api, client, inbox):
    app.config["MODERATION"] = "first"
    moderator = Moderator(app.test_client())
    comment_id = api.post(**ANN).get_json()["comment"]["id"]
    moderator.act("approve", comment_id)
    confirm = link(inbox("ann@example.org")[0], "/api/subscriptions/confirm-address")
    moderator.act("delete", comment_id)
    assert client.post(confirm).status_code == 404
    assert api.post(**ANN).status_code == 202


def test_an_approval_and_its_reply_mail_commit_together(app, api, client, inbox, monkeypatch):
    """A worker that dies right after the approval's commit (here: the re-bake after it fails)
    must not lose the subscriber's mail: it is queued in the approval's own transaction."""
    comment_id, _ = subscribed(api, inbox)
    app.config["MODERATION"] = "all"
    reply_id = api.post(**BOB, parent=comment_id).get_json()["comment"]["id"]

    def worker_dies(*args, **kwargs):
        raise RuntimeError("the worker died here")

    monkeypatch.setattr("comments_service.admin.views._rebake", worker_dies)
    response = Moderator(client).post("/admin/moderate", action="approve", ids=[str(reply_id)])
    assert response.status_code == 500
    assert [row.subject for row in outbox_rows(app) if "replied" in row.subject] == [
        "Bob replied to your comment on “First article”"]
