"""The per-request limit (request_limits.py) next to Flask-Limiter's blueprint limits, and its
fallback to memory while a real Redis is down and back."""

import logging
import subprocess
import time
import uuid

import pytest
import redis

from comments_service import create_app, request_limits, security
from comments_service.db import engine as app_engine
from tests.comments_service.conftest import admin_users, free_port
from tests.conftest import require_backend

from .test_security import assert_rate_limited


@pytest.fixture
def make_app(app_config):
    apps = []

    def make(**settings):
        apps.append(create_app(app_config | {"RATELIMIT_ENABLED": True} | settings))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            app_engine().dispose()


def test_each_request_is_counted_once_by_the_limit_that_applies_to_it(make_app):
    app = make_app(READ_RATE_LIMIT="2 per minute", ADMIN_RATE_LIMIT="100 per minute",
                   ADMIN_USERS=admin_users())
    client = app.test_client()
    # The admin blueprint has its own limit: the read limit does not count its pages...
    assert {client.get("/admin/login").status_code for _ in range(5)} == {200}
    # ...and its pages do not use up the API's reads, which are counted per endpoint.
    assert [client.get("/api/health").status_code for _ in range(2)] == [200, 200]
    assert_rate_limited(client.get("/api/health"))
    assert client.get("/api/threads/first-article/comments").status_code == 200
    # Not found: no endpoint, nothing counted (as with Flask-Limiter).
    assert {client.get("/api/nowhere").status_code for _ in range(3)} == {404}


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of this test's own, which it can stop and start again on the same port."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
               "--dir", str(tmp_path)]
    processes = []

    def start():
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
        client = redis.Redis(port=port)
        for _ in range(200):
            try:
                client.ping()
                return client
            except redis.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop():
        processes[-1].terminate()
        processes[-1].wait(timeout=10)

    yield SimpleServer(port, start, stop)
    for process in processes:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


class SimpleServer:
    def __init__(self, port, start, stop):
        self.url, self.start, self.stop = f"redis://127.0.0.1:{port}/0", start, stop


@pytest.mark.redis
def test_counts_move_to_memory_while_redis_is_down_and_back_once_it_answers(
        make_app, redis_server, monkeypatch, caplog):
    monkeypatch.setattr(request_limits, "RECHECK_SECONDS", 0.0)  # try Redis again at once
    caplog.set_level(logging.INFO, logger=request_limits.__name__)
    store = redis_server.start()
    app = make_app(RATELIMIT_STORAGE_URI=redis_server.url, READ_RATE_LIMIT="3 per minute")
    client = app.test_client()
    assert client.get("/api/health").status_code == 200
    assert store.keys("*"), "counted in Redis"
    redis_server.stop()
    assert client.get("/api/health").status_code == 200  # counted in memory: 1
    assert "falling back to in-memory storage" in caplog.text
    assert client.get("/api/health").status_code == 200  # 2
    store = redis_server.start()  # empty: a new server
    assert client.get("/api/health").status_code == 200  # Redis again: 1
    assert "Rate limit storage recovered" in caplog.text
    assert store.keys("*"), "counted in Redis again"
    assert [client.get("/api/health").status_code for _ in range(2)] == [200, 200]
    assert_rate_limited(client.get("/api/health"))


@pytest.mark.redis
def test_reads_are_counted_in_redis_in_leases_and_writes_one_by_one(make_app, monkeypatch):
    """Issue 16 item 1: a round trip to Redis per read halved what a worker serves."""
    redis_url = require_backend("COMMENTS_TEST_REDIS_URL", "Redis")
    app = make_app(RATELIMIT_STORAGE_URI=redis_url, READ_RATE_LIMIT="800 per minute",
                   WRITE_RATE_LIMIT="3 per minute", RATELIMIT_KEY_PREFIX=f"t{uuid.uuid4().hex}")
    storage = app.extensions[security._REQUEST_LIMITS].storage
    round_trips = []
    incr = storage.incr
    monkeypatch.setattr(storage, "incr", lambda *args, **kw: round_trips.append(1) or incr(*args, **kw))
    client = app.test_client()
    assert {client.get("/api/health").status_code for _ in range(100)} == {200}
    assert len(round_trips) < 100 / 5
    round_trips.clear()
    answers = [client.patch("/api/comments/999", json={"text": "Hello there"}).status_code
               for _ in range(4)]
    assert answers[3] == 429 and 429 not in answers[:3]
    assert len(round_trips) == 4
