"""The gunicorn configuration we ship keeps serving while slow clients trickle their requests in
(two clients sending a byte every two seconds once froze a sync-worker service)."""

import socket
import threading
import time
import urllib.request

import pytest

from tests.comments_service.conftest import sqlite_url
from tests.test_deploy import Service

SLOW_CLIENTS = 6
TRICKLE_SECONDS = 1.0


def trickle(url: str, stop: threading.Event) -> None:
    """A client that sends a request one byte per TRICKLE_SECONDS until told to stop."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as client:
        for byte in b"GET /api/health HTTP/1.1\r\nHost: slow\r\nX-Padding: " + b"x" * 1000:
            if stop.wait(TRICKLE_SECONDS):
                return
            client.send(bytes([byte]))


def answers_while_trickled(service: Service) -> bool:
    """Whether /api/health answers (within 3 s each) while SLOW_CLIENTS trickle."""
    stop = threading.Event()
    clients = [threading.Thread(target=trickle, args=(service.url, stop)) for _ in range(SLOW_CLIENTS)]
    for client in clients:
        client.start()
    time.sleep(2 * TRICKLE_SECONDS)  # every slow client has started its request
    try:
        for _ in range(3):
            with urllib.request.urlopen(f"{service.url}/api/health", timeout=3) as response:
                assert response.status == 200
        return True
    except TimeoutError:
        return False
    finally:
        stop.set()
        for client in clients:
            client.join()


@pytest.mark.parametrize(("options", "serves"), [((), True), (("--worker-class", "sync", "--threads", "1"), False)],
                         ids=["shipped", "sync-workers"])
def test_slow_clients_cannot_starve_the_shipped_configuration(tmp_path, options, serves):
    """The sync case shows the attack is real: the same clients starve plain sync workers."""
    env = {"COMMENTS_SECRET_KEY": "k", "COMMENTS_DATABASE_URL": sqlite_url(tmp_path),
           "COMMENTS_RATELIMIT_ENABLED": "false", "COMMENTS_SITE_URL": "http://127.0.0.1"}
    service = Service(env, tmp_path / "gunicorn.log", *options)
    try:
        service.wait_until_healthy()
        assert answers_while_trickled(service) is serves, service.log()
    finally:
        service.stop()
