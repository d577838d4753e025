"""The shipped gunicorn settings: the master loads the app once and forks its workers from it."""

import gc
from types import SimpleNamespace

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


def test_the_master_tunes_malloc_on_starting(monkeypatch):
    calls = []
    monkeypatch.setattr(gunicorn_conf, "tune_malloc", lambda: calls.append(True) or True)
    gunicorn_conf.on_starting(SimpleNamespace())
    assert calls == [True]
