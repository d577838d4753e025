"""The shipped gunicorn settings: the master loads the app once and forks its workers from it."""

import gc
import platform
import subprocess
import sys
from types import SimpleNamespace

import pytest

from comments_service import gunicorn_conf
from comments_service.db import engine as app_engine


def test_the_master_preloads_and_forks_workers_without_database_connections(app):
    """Workers share the master's pages (issue 16: memory per worker), so the master must hand
    them no open connection: one connection used by two processes mixes their conversations."""
    assert gunicorn_conf.preload_app is True
    client = app.test_client()
    assert client.get("/api/threads/first-article/comments").status_code == 200
    with app.app_context():
        pool = app_engine().pool
    assert pool.checkedin() >= 1  # the request's connection went back to the pool, still open
    try:
        gunicorn_conf.when_ready(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert pool.checkedin() == 0  # closed, not merely forgotten
    assert client.get("/api/threads/first-article/comments").status_code == 200


def test_when_ready_leaves_an_app_that_is_not_ours_alone():
    try:
        gunicorn_conf.when_ready(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: object())))
    finally:
        gc.unfreeze()


MALLOC_PROBE = """
import ctypes, sys
from comments_service import gunicorn_conf
tuned = sys.argv[1] == "tuned" and gunicorn_conf.tune_malloc()

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
mallinfo2.restype = MallInfo2
freed = bytearray(8 << 20)
del freed  # glibc's default: the mmap threshold rises to 8 MiB, so the next bodies come from the heap
before = mallinfo2().hblks
bodies = [bytearray(300_000) for _ in range(20)]  # twenty thread pages' bodies
print(tuned, mallinfo2().hblks - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
@pytest.mark.parametrize("mode", ["tuned", "default"])
def test_tuned_malloc_gives_each_large_body_its_own_mapping(mode):
    """With the master's malloc tuned (on_starting), a page body is mapped on its own and given
    back when freed, even after a larger block was freed (which, by glibc's default, moves later
    bodies into the heap, where they stay). The untuned run shows the probe can tell the two."""
    probe = subprocess.run([sys.executable, "-c", MALLOC_PROBE, mode], capture_output=True,
                           text=True, check=True)
    tuned, mapped_bodies = probe.stdout.split()
    if mode == "tuned":
        assert tuned == "True" and int(mapped_bodies) >= 20
    else:
        assert int(mapped_bodies) == 0


def test_the_master_tunes_malloc_on_starting(monkeypatch):
    calls = []
    monkeypatch.setattr(gunicorn_conf, "tune_malloc", lambda: calls.append(True) or True)
    gunicorn_conf.on_starting(SimpleNamespace())
    assert calls == [True]
