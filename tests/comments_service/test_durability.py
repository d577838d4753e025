"""Durability: comments acknowledged with 201 survive a SIGKILL of the server (gunicorn, SQLite
with WAL + synchronous=FULL), killed while a client is still posting."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import ROOT

ACKNOWLEDGED_BEFORE_KILL = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(base, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method="POST" if body else "GET",
                                 headers={"Content-Type": "application/json", "Origin": base})
    with urllib.request.urlopen(req, timeout=5) as response:
        return response.status, json.loads(response.read())


class Server:
    """gunicorn serving create_app() on a free port, in its own process group."""

    def __init__(self, env):
        self.base = f"http://127.0.0.1:{free_port()}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", self.base[len("http://"):],
             "comments_service:create_app()"],
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


@pytest.fixture
def server_env(tmp_path, manifest_path):
    env = dict(os.environ)
    env.update(COMMENTS_SECRET_KEY="durability test key",
               COMMENTS_DATABASE_URL=f"sqlite:///{tmp_path / 'comments.sqlite3'}",
               COMMENTS_THREADS_MANIFEST=str(manifest_path),
               COMMENTS_RATELIMIT_ENABLED="false",
               COMMENTS_SITE_URL="https://news.example.org")
    return env


def test_acknowledged_comments_survive_sigkill(server_env):
    server = Server(server_env)
    acknowledged: list[int] = []
    enough = threading.Event()

    def post_until_the_server_dies():
        for number in range(10_000):
            try:
                status, body = request(server.base, "/api/threads/first-article/comments",
                                       {"author": "Durable", "text": f"Comment number {number}"})
            except (OSError, urllib.error.URLError):
                return
            assert status == 201
            acknowledged.append(body["comment"]["id"])
            if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                enough.set()
        enough.set()

    poster = threading.Thread(target=post_until_the_server_dies)
    try:
        poster.start()
        assert enough.wait(timeout=60)
    finally:
        server.kill()
        poster.join(timeout=30)
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL

    restarted = Server(server_env)
    try:
        _, thread = request(restarted.base, "/api/threads/first-article/comments")
    finally:
        restarted.kill()
    stored = {comment["id"] for comment in thread["comments"]}
    assert set(acknowledged) <= stored
