"""Durability: what the service acknowledged survives a SIGKILL of gunicorn (the shipped
configuration) on SQLite (WAL + synchronous=FULL) and PostgreSQL, killed while several clients
are posting, replying to each other, editing and deleting:

- every acknowledged post is stored, unless its deletion was acknowledged too;
- every acknowledged edit's text is the text stored; every acknowledged deletion holds;
- what was not acknowledged (the request in flight at the kill) is either done or not, never
  half done, and changes nobody else's comments;
- no request is answered with a 5xx on the way.
"""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from sqlalchemy import select

from comments_service.core.storage import database
from comments_service.core.storage.tables import comments
from tests.conftest import ROOT

CLIENTS = 4
#: Acknowledged writes (across clients) before the kill.
ACKNOWLEDGED_BEFORE_KILL = 80


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(base, path, body=None, method=None, token=None):
    """(status, JSON body) of a call; HTTP errors are answers too, network failures raise OSError."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Origin": base}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base + path, data=data, headers=headers,
                                 method=method or ("POST" if body else "GET"))
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            answer = error.read()
        try:
            return error.code, json.loads(answer)
        except ValueError:  # not the JSON error object: a surprise, reported as such
            return error.code, {"not json": answer[:300]}


class Server:
    """gunicorn with the shipped settings serving create_app() on a free port, in its own
    process group."""

    def __init__(self, env):
        self.base = f"http://127.0.0.1:{free_port()}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:comments_service.gunicorn_conf",
             "--workers", "2", "--bind", self.base[len("http://"):], "comments_service:create_app()"],
            cwd=ROOT, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_until_healthy()

    def _wait_until_healthy(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("gunicorn exited: " + self.process.stderr.read().decode())
            try:
                if request(self.base, "/api/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail("gunicorn did not become healthy")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process.stderr.close()


class Client(threading.Thread):
    """A reader posting (half of the time a reply to anybody's comment), editing and deleting
    their own comments until the server dies. `live` and `deleted` hold what the server
    acknowledged; `pending` is the write in flight, whose answer never came."""

    def __init__(self, number, base, everyone, acknowledged):
        super().__init__(daemon=True)
        self.number, self.base, self.everyone, self.acknowledged = number, base, everyone, acknowledged
        self.live: dict[int, tuple[str, str]] = {}  # id -> (edit token, text)
        self.deleted: set[int] = set()
        self.pending: tuple | None = None  # ("post", None, text) / ("edit", id, text) / ("delete", id, None)
        self.surprises: list = []  # answers that are not part of the contract
        self.done: Counter = Counter()  # acknowledged writes by kind

    def run(self):
        rng = random.Random(self.number)
        for step in range(100_000):
            kind = rng.choice(["post", "post", "post", "edit", "edit", "delete"]) if self.live else "post"
            try:
                getattr(self, kind)(rng, f"Client {self.number}, step {step}.")
            except OSError:
                return  # the server is gone; `pending` was not acknowledged
            self.pending = None
            self.acknowledged.release()

    def post(self, rng, text):
        body = {"author": f"Client {self.number}", "text": text}
        if rng.random() < 0.5 and self.everyone:
            body["parent"] = rng.choice(self.everyone)
        self.pending = ("post", None, text)
        status, answer = request(self.base, "/api/threads/first-article/comments", body)
        if status == 201:
            self.live[answer["comment"]["id"]] = (answer["edit_token"], text)
            self.everyone.append(answer["comment"]["id"])
            self.done["reply" if "parent" in body else "post"] += 1
        elif status == 400 and answer.get("error", {}).get("code") == "unknown_parent":  # its parent just went
            self.done["reply refused"] += 1
        else:
            self.surprises.append((body, status, answer))

    def edit(self, rng, text):
        comment_id = rng.choice(sorted(self.live))
        token, _ = self.live[comment_id]
        self.pending = ("edit", comment_id, text)
        status, answer = request(self.base, f"/api/comments/{comment_id}", {"text": text}, "PATCH", token)
        if status == 200:
            self.live[comment_id] = (token, text)
            self.done["edit"] += 1
        else:
            self.surprises.append(("edit", comment_id, status, answer))

    def delete(self, rng, _text):
        comment_id = rng.choice(sorted(self.live))
        self.pending = ("delete", comment_id, None)
        status, answer = request(self.base, f"/api/comments/{comment_id}", None, "DELETE",
                                 self.live[comment_id][0])
        if status == 200:
            del self.live[comment_id]
            self.deleted.add(comment_id)
            self.done["delete"] += 1
        else:
            self.surprises.append(("delete", comment_id, status, answer))


@pytest.fixture
def server_env(any_database_url, manifest_path):
    env = dict(os.environ)
    env.update(COMMENTS_SECRET_KEY="durability test key",
               COMMENTS_DATABASE_URL=any_database_url,
               COMMENTS_THREADS_MANIFEST=str(manifest_path),
               COMMENTS_RATELIMIT_ENABLED="false",
               COMMENTS_SITE_URL="https://news.example.org")
    return env


def stored_comments(url) -> dict:
    engine = database.engine_from_url(url)
    try:
        with database.connect(engine) as conn:
            rows = conn.execute(select(comments.c.id, comments.c.author, comments.c.text, comments.c.deleted))
            return {row.id: row for row in rows}
    finally:
        engine.dispose()


def test_acknowledged_writes_of_concurrent_clients_survive_sigkill(server_env):
    server = Server(server_env)
    acknowledged = threading.Semaphore(0)
    everyone: list[int] = []
    clients = [Client(number, server.base, everyone, acknowledged) for number in range(CLIENTS)]
    try:
        for client in clients:
            client.start()
        for _ in range(ACKNOWLEDGED_BEFORE_KILL):
            assert acknowledged.acquire(timeout=60), "the clients stopped getting answers"
    finally:
        server.kill()
        for client in clients:
            client.join(timeout=30)
    restarted = Server(server_env)  # it starts again on what the killed one left
    restarted.kill()
    stored = stored_comments(server_env["COMMENTS_DATABASE_URL"])

    lost, unaccounted = [], set(stored)
    for client in clients:
        assert client.surprises == []
        pending_kind, pending_id, pending_text = client.pending or (None, None, None)
        for comment_id, (_, text) in client.live.items():
            row = stored.get(comment_id)
            texts = {text, pending_text} if pending_kind == "edit" and pending_id == comment_id else {text}
            if pending_kind == "delete" and pending_id == comment_id and (row is None or row.deleted):
                continue
            if row is None or row.deleted or row.text not in texts:
                lost.append((comment_id, text, row))
            unaccounted.discard(comment_id)
        for comment_id in client.deleted:
            assert comment_id not in stored or stored[comment_id].deleted, stored[comment_id]
            unaccounted.discard(comment_id)
        if pending_kind == "post":  # stored or not, but whole: its own author and text
            unaccounted -= {comment_id for comment_id in unaccounted
                            if stored[comment_id].text == pending_text
                            and stored[comment_id].author == f"Client {client.number}"}
    done = sum((client.done for client in clients), Counter())
    print(f"\nacknowledged before SIGKILL: {dict(done)}; in flight: "
          f"{sum(client.pending is not None for client in clients)}; lost: {len(lost)}")
    assert lost == []
    assert unaccounted == set(), [stored[comment_id] for comment_id in unaccounted]
