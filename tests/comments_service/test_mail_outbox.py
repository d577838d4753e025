"""Mail is not lost: the outbox (core/storage/outbox.py) and its senders (notifications/sender.py)
with a real SMTP server that is down, blackholed or slow, on SQLite and PostgreSQL."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from comments_service import create_app, db
from comments_service.core import moderation
from comments_service.core.storage import database, outbox
from comments_service.core.storage.tables import comments, mail_outbox, reply_subscriptions
from comments_service.core.times import utcnow
from comments_service.notifications import mail, notify
from comments_service.notifications.mail import retry_policy, smtp_settings
from comments_service.notifications.sender import OutboxSender, RetryPolicy
from tests.comments_service.conftest import free_port, mail_settings, outbox_rows, running_smtp_server

HELD = 60  # the count: 60 of 60 mails were lost with the SMTP server down


@pytest.fixture
def database_url(any_database_url):
    return any_database_url


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def app_config(app_config, smtp_port):
    """Mail to `smtp_port`, every comment held (one moderator mail each), quick retries."""
    return app_config | mail_settings(smtp_port) | {
        "MODERATION": "all", "MAIL_RETRY_BASE_SECONDS": 0.2, "MAIL_RETRY_MAX_SECONDS": 0.5,
        "MAIL_POLL_SECONDS": 0.5}


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_mail_waits_out_an_smtp_outage_and_is_delivered_exactly_once(app, api, smtp_port):
    for number in range(HELD):
        assert api.post(text=f"Comment number {number}").status_code == 202
    mail.flush(app)
    rows = outbox_rows(app)
    assert len(rows) == HELD
    tried = [row for row in rows if row.attempts]
    assert tried and all("ConnectionRefusedError" in row.last_error for row in tried)
    assert len(tried) < HELD  # a server found down is not tried again for every other mail

    with running_smtp_server(smtp_port) as mailbox:  # the server is back
        wait_for(lambda: len(mailbox.messages) >= HELD)  # the worker's sender retries on its own
        time.sleep(1.0)  # twice the longest retry delay: anything sent twice would be here now
        assert outbox_rows(app) == []
    assert len(mailbox.messages) == HELD
    assert len({message["Message-ID"] for message in mailbox.messages}) == HELD
    bodies = Counter(line for message in mailbox.messages for line in message.get_content().splitlines()
                     if line.startswith("> Comment number"))
    assert bodies == Counter(f"> Comment number {number}" for number in range(HELD))


def test_a_rolled_back_comment_leaves_no_mail(app, api, smtp_port, monkeypatch):
    queue_mail = notify.comment_posted

    def queue_mail_then_fail(conn, comment):
        queue_mail(conn, comment)
        assert outbox_rows_in(conn) == 1  # queued, in the comment's transaction
        raise RuntimeError("the write fails after its mail was queued")

    monkeypatch.setattr(notify, "comment_posted", queue_mail_then_fail)
    with running_smtp_server(smtp_port) as mailbox:
        assert api.post().status_code == 500
        mail.flush(app)
        assert outbox_rows(app) == [] and mailbox.messages == []
    with app.app_context(), db.engine().connect() as conn:
        assert conn.execute(select(func.count()).select_from(comments)).scalar() == 0


def outbox_rows_in(conn) -> int:
    return conn.execute(select(func.count()).select_from(mail_outbox)).scalar()


def test_a_blackholed_smtp_server_does_not_hold_up_shutdown(app_config, smtp_port):
    app = create_app(app_config | {"SMTP_TIMEOUT": 30, "MAIL_SHUTDOWN_SECONDS": 0.5})
    with running_smtp_server(smtp_port) as mailbox:
        mailbox.gate.clear()  # the server takes the mail and never answers
        response = app.test_client().post("/api/threads/first-article/comments",
                                          json={"author": "Ann", "text": "Hello there"},
                                          headers={"Origin": "http://localhost"})
        assert response.status_code == 202
        assert mailbox.in_data.wait(10)  # the sender is stuck in DATA
        started = time.monotonic()
        mail.close(app)
        assert time.monotonic() - started < 2.0  # MAIL_SHUTDOWN_SECONDS, not SMTP_TIMEOUT
        [row] = outbox_rows(app)  # kept for the next sender
        assert row.attempts == 1 and row.failed_at is None

        mailbox.gate.set()  # the server answers after all: the stopped sender finishes its mail
        mail.flush(app)
        assert len(mailbox.messages) == 1 and outbox_rows(app) == []


def test_smtp_timeout_bounds_each_attempt_and_the_mail_is_kept(app_config, smtp_port):
    app = create_app(app_config | {"SMTP_TIMEOUT": 0.5, "MAIL_RETRY_BASE_SECONDS": 60})
    with running_smtp_server(smtp_port) as mailbox:
        mailbox.gate.clear()
        started = time.monotonic()
        assert app.test_client().post("/api/threads/first-article/comments",
                                      json={"author": "Ann", "text": "Hello there"},
                                      headers={"Origin": "http://localhost"}).status_code == 202
        mail.flush(app)  # waits for the sender's attempt, then finds nothing due
        assert time.monotonic() - started < 5.0
        [row] = outbox_rows(app)
        assert row.attempts == 1 and "timed out" in row.last_error and row.failed_at is None
    mail.close(app)


def test_concurrent_senders_never_send_the_same_row_twice(app, smtp_port, database_url):
    """Four senders with engines of their own, as on four hosts, drain one outbox."""
    with app.app_context(), database.connect(db.engine(), write=True) as conn:
        for number in range(40):
            outbox.enqueue(conn, ["desk@news.example.org"], f"Mail {number}", "Body\n",
                           message_id=f"<{number}@news.example.org>")
        conn.commit()
    engines = [database.engine_from_url(database_url) for _ in range(4)]
    senders = [OutboxSender(engine, smtp_settings(app.config), retry_policy(app.config),
                            poll_seconds=1, shutdown_seconds=1) for engine in engines]
    sent = []
    with running_smtp_server(smtp_port) as mailbox:
        threads = [threading.Thread(target=lambda s=sender: sent.append(s.send_due().sent))
                   for sender in senders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    for engine in engines:
        engine.dispose()
    assert sorted(message["Message-ID"] for message in mailbox.messages) == sorted(
        f"<{number}@news.example.org>" for number in range(40))
    assert sum(sent) == 40 and outbox_rows(app) == []


def test_a_mail_that_always_fails_is_kept_as_failed_and_logged(app_config, smtp_port, caplog):
    app = create_app(app_config | {"MAIL_MAX_ATTEMPTS": 3, "MAIL_RETRY_BASE_SECONDS": 0.01})
    client = app.test_client()
    assert client.post("/api/threads/first-article/comments", json={"author": "Ann", "text": "Hello"},
                       headers={"Origin": "http://localhost"}).status_code == 202
    mail.close(app)  # this test drives the sending itself
    for _ in range(3):
        time.sleep(0.05)  # the retry delay
        mail.flush(app)
    [row] = outbox_rows(app)
    assert row.attempts == 3 and row.failed_at is not None and "Refused" in row.last_error
    [given_up] = [record for record in caplog.records if record.levelname == "ERROR"]
    assert "not sent after 3 attempts; kept in the outbox as failed" in given_up.getMessage()


def test_retry_delays_double_up_to_the_cap():
    policy = RetryPolicy(max_attempts=15, base_seconds=30, max_seconds=3600, lease_seconds=600)
    assert [policy.delay(attempts) for attempts in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert policy.delay(10_000) == 3600


def test_send_mail_command_sends_what_is_due_once(app, smtp_port):
    with app.app_context(), database.connect(db.engine(), write=True) as conn:
        for subject in ("First", "Second"):
            outbox.enqueue(conn, ["desk@news.example.org"], subject, "Body\n", message_id=f"<{subject}@x>")
        conn.commit()
        failed = outbox.claim_due(conn, 60)
        outbox.record_failure(conn, failed, "550 refused", retry_at=None)
        conn.commit()
    runner = app.test_cli_runner()
    with running_smtp_server(smtp_port) as mailbox:
        first = runner.invoke(args=["send-mail"])
        assert first.exit_code == 0, first.output
        assert "Sent 1;" in first.output and "0 waiting, 1 failed" in first.output
        again = runner.invoke(args=["send-mail", "--retry-failed"])
        assert "1 failed mails are due again" in again.output and "Sent 1;" in again.output
    assert [message["Subject"] for message in mailbox.messages] == ["Second", "First"]
    assert outbox_rows(app) == []


def test_send_mail_command_says_when_mail_is_off(app_config):
    result = create_app(app_config | {"SMTP_HOST": ""}).test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 1 and "Mail is off" in result.output


def test_purge_deletes_the_mails_given_up_on_after_the_retention_period(app):
    """They hold addresses and readers' text (docs/privacy.md)."""
    with app.app_context(), database.connect(db.engine(), write=True) as conn:
        for days in (31, 29):
            outbox.enqueue(conn, ["desk@news.example.org"], f"{days} days", "Body\n",
                           message_id=f"<{days}@x>")
        for _ in range(2):
            mail_row = outbox.claim_due(conn, 60)
            failed_at = utcnow() - timedelta(days=int(mail_row.subject.split()[0]))
            outbox.record_failure(conn, mail_row, "550 refused", retry_at=None, now=failed_at)
        conn.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "deleted 1 mails that failed before then" in result.output
    assert [row.subject for row in outbox_rows(app)] == ["29 days"]


def test_an_approval_can_queue_its_reply_mail_in_its_own_transaction(app, api):
    """notify_reply_published(row, conn), before the commit: a rolled-back approval mails nobody."""
    app.config["MODERATION"] = "none"
    ann = api.comment(author="Ann", email="ann@example.org", notify=True)["comment"]
    app.config["MODERATION"] = "all"
    reply_id = api.post(author="Bob", email="bob@example.org", parent=ann["id"]).get_json()["comment"]["id"]
    with app.app_context(), database.connect(db.engine(), write=True) as conn:
        conn.execute(update(reply_subscriptions).values(confirmed=True))
        conn.commit()

    def approve(*, commit):
        with app.test_request_context(), database.connect(db.engine(), write=True) as conn:
            for row in moderation.moderate(conn, "ann", moderation.APPROVE, [reply_id]):
                notify.notify_reply_published(row, conn)
            conn.commit() if commit else conn.rollback()

    def reply_mails():
        return [row.subject for row in outbox_rows(app) if "replied" in row.subject]

    approve(commit=False)
    assert reply_mails() == []
    approve(commit=True)
    assert reply_mails() == ["Bob replied to your comment on “First article”"]
