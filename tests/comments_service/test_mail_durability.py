"""Mail survives the server: gunicorn with the shipped configuration is SIGKILLed while its mail
waits for an SMTP server that is down; after a restart, with no request coming in, every mail is
delivered, once (the workers start their senders when they boot: gunicorn_conf.post_worker_init)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from comments_service.core.storage import database
from comments_service.core.storage.tables import mail_outbox
from tests.comments_service.conftest import free_port, running_smtp_server
from tests.comments_service.test_durability import request
from tests.conftest import ROOT

HELD = 20


class Server:
    """gunicorn -c python:comments_service.gunicorn_conf, two workers, in its own process group."""

    def __init__(self, env, log_path, *, wait_until_healthy=True):
        self.base = f"http://127.0.0.1:{free_port()}"
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "python:comments_service.gunicorn_conf",
                 "--workers", "2", "--bind", self.base.removeprefix("http://"),
                 "comments_service:create_app()"],
                cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
        if not wait_until_healthy:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if request(self.base, "/api/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"gunicorn did not become healthy:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def eventually(condition, timeout) -> bool:
    """Whether `condition()` holds within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_mail_queued_when_gunicorn_is_killed_is_sent_after_the_restart(tmp_path, manifest_path):
    smtp_port = free_port()  # nothing listens there until after the kill
    database_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    env = os.environ | {
        "COMMENTS_SECRET_KEY": "mail durability key", "COMMENTS_DATABASE_URL": database_url,
        "COMMENTS_THREADS_MANIFEST": str(manifest_path), "COMMENTS_RATELIMIT_ENABLED": "false",
        "COMMENTS_SITE_URL": "https://news.example.org", "COMMENTS_MODERATION": "all",
        "COMMENTS_SMTP_HOST": "127.0.0.1", "COMMENTS_SMTP_PORT": str(smtp_port),
        "COMMENTS_SMTP_SECURITY": "none", "COMMENTS_SMTP_FROM": "comments@news.example.org",
        "COMMENTS_MODERATOR_EMAILS": json.dumps(["desk@news.example.org"]),
        "COMMENTS_MAIL_RETRY_BASE_SECONDS": "0.2", "COMMENTS_MAIL_RETRY_MAX_SECONDS": "0.5",
        "COMMENTS_MAIL_POLL_SECONDS": "0.5", "COMMENTS_MAIL_LEASE_SECONDS": "1"}
    engine = database.engine_from_url(database_url)

    def outbox():
        with engine.connect() as conn:
            return conn.execute(select(func.count(), func.max(mail_outbox.c.attempts))
                                .select_from(mail_outbox)).one()

    log_path = tmp_path / "gunicorn.log"
    server = Server(env, log_path)
    try:
        for number in range(HELD):
            status, _ = request(server.base, "/api/threads/first-article/comments",
                                {"author": "Durable", "text": f"Comment number {number}"})
            assert status == 202
        assert eventually(lambda: outbox()[1], 60), server.log()  # a refused attempt: senders run
    finally:
        server.kill()
    assert outbox()[0] == HELD

    with running_smtp_server(smtp_port) as mailbox:
        restarted = Server(env, log_path, wait_until_healthy=False)  # and no request at all
        try:
            assert eventually(lambda: len(mailbox.messages) >= HELD, 60), restarted.log()
            time.sleep(1.5)  # more than a lease and a retry delay: a second copy would be here
        finally:
            restarted.kill()
    quoted = [message.get_content().split("> ", 1)[1].splitlines()[0] for message in mailbox.messages]
    assert sorted(quoted) == sorted(f"Comment number {number}" for number in range(HELD))
    assert len({message["Message-ID"] for message in mailbox.messages}) == HELD
    assert outbox()[0] == 0
    engine.dispose()
