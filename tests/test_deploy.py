"""The production shape end to end: gunicorn with the shipped configuration on PostgreSQL + Redis, a site built
by Pelican, a reader's comment held for moderation, approved through the /admin/ forms over real
HTTP, and the rebuilt site carrying it in the article's static HTML."""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from werkzeug.security import generate_password_hash

from tests.comments_service.conftest import free_port, postgres_schema_url
from tests.conftest import ROOT, require_backend
from tests.site.conftest import run_pelican

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SLUG = "deploy-story"
ARTICLE = """Title: Deploy story
Date: 2026-03-01 09:00
Slug: deploy-story

The harbour reopened this morning.
"""
SECRET_KEY = "deploy-test-secret"
MODERATOR, PASSWORD = "editor", "a long moderator password"
STARTUP_SECONDS = 30


class Service:
    """gunicorn serving `comments_service:create_app()` on a free port of 127.0.0.1."""

    def __init__(self, env: dict[str, str], log_path, *options: str):
        """gunicorn with the shipped configuration (comments_service/gunicorn_conf.py), two
        workers, and `options` on top."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "python:comments_service.gunicorn_conf",
                 "--workers", "2", "--bind", f"127.0.0.1:{self.port}", *options,
                 "comments_service:create_app()"],
                cwd=ROOT, env=os.environ | env, stdout=log, stderr=subprocess.STDOUT)
        self.browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:  # not listening yet, or a worker still migrating: a slow answer
                time.sleep(0.1)
        pytest.fail(f"gunicorn did not answer within {STARTUP_SECONDS}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def post_json(self, path: str, body: dict) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "Origin": self.url})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)

    def page(self, path: str, form: dict | None = None) -> str:
        """GET (or POST `form`) with the session cookie, following redirects; the final HTML."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        with self.browser.open(self.url + path, data=data, timeout=10) as response:
            assert response.status == 200
            return response.read().decode()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def database_url(monkeypatch):
    require_backend("COMMENTS_TEST_POSTGRES_URL", "PostgreSQL")
    with postgres_schema_url() as url:
        monkeypatch.setenv("COMMENTS_DATABASE_URL", url)  # run_pelican passes it to the builds
        monkeypatch.setenv("COMMENTS_SECRET_KEY", SECRET_KEY)
        yield url


def build_site(content, output) -> None:
    result = run_pelican(content, output)
    assert result.returncode == 0, result.stdout + result.stderr


def test_comment_approved_in_admin_reaches_the_rebuilt_static_page(tmp_path, database_url):
    redis_url = require_backend("COMMENTS_TEST_REDIS_URL", "Redis")
    content, output = tmp_path / "content", tmp_path / "output"
    content.mkdir()
    (content / f"{SLUG}.md").write_text(ARTICLE, encoding="utf-8")
    build_site(content, output)
    assert "No comments yet" in (output / f"{SLUG}.html").read_text(encoding="utf-8")

    service = Service({
        "COMMENTS_DATABASE_URL": database_url,
        "COMMENTS_RATELIMIT_STORAGE_URI": redis_url,
        "COMMENTS_RATELIMIT_KEY_PREFIX": f"deploy-test-{uuid.uuid4().hex}",  # no counts of earlier runs
        "COMMENTS_MODERATION": "all",
        "COMMENTS_SECRET_KEY": SECRET_KEY,
        "COMMENTS_SITE_URL": "https://news.example.org",
        "COMMENTS_ADMIN_USERS": json.dumps({MODERATOR: generate_password_hash(PASSWORD)}),
        "COMMENTS_THREADS_MANIFEST": str(output / "comments" / "threads.json"),
    }, tmp_path / "gunicorn.log")
    try:
        service.wait_until_healthy()
        status, body = service.post_json(f"/api/threads/{SLUG}/comments",
                                         {"author": "Reader", "email": "reader@example.org",
                                          "text": "Deployed and moderated comment."})
        assert status == 202 and body["status"] == "pending"
        comment_id = body["comment"]["id"]

        login = service.page("/admin/login")
        queue = service.page("/admin/login", {"csrf_token": csrf_token(login), "name": MODERATOR,
                                              "password": PASSWORD})
        assert f"#{comment_id}<" in queue and "reader@example.org" in queue
        after = service.page("/admin/moderate", {"csrf_token": csrf_token(queue), "action": "approve",
                                                 "ids": str(comment_id), "next": "/admin/"})
        assert "Approve: 1 of 1" in after and f"#{comment_id}<" not in after
        log = service.page("/admin/log")
        assert MODERATOR in log and f"#{comment_id}" in log
    finally:
        service.stop()

    build_site(content, output)
    page = (output / f"{SLUG}.html").read_text(encoding="utf-8")
    assert f'id="comment-{comment_id}"' in page and "Deployed and moderated comment." in page
    assert "reader@example.org" not in page
