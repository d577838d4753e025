"""A production build signs its baked forms with the service's key, or refuses to build.

`make publish` without COMMENTS_SECRET_KEY used to sign the baked form tokens with the development
key from instance/: every no-JavaScript comment on the published site was then refused (403)
while the service looked healthy. These tests post the form exactly as the built page holds it."""

import os
import re
import subprocess
import sys

import pytest

from comments_service import create_app
from comments_service.core.settings import MISSING_SECRET_KEY
from comments_service.db import engine as app_engine
from tests.conftest import ROOT

SECRET_KEY = "publish-test-secret"
SLUG = "harbour-reopens"
ARTICLE = f"""Title: Harbour reopens
Date: 2025-07-15 09:00
Slug: {SLUG}

The harbour reopened on Monday [^1].

[^1]: https://example.org/harbour
"""


def build(tmp_path, settings_file: str, **env):
    """Run pelican as `make html` / `make publish` do, with only the variables given (plus PATH)."""
    content, output = tmp_path / "content", tmp_path / "output"
    content.mkdir(exist_ok=True)
    (content / f"{SLUG}.md").write_text(ARTICLE, encoding="utf-8")
    environment = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "COLUMNS": "1000",  # one log line
                   "COMMENTS_DATABASE_URL": f"sqlite:///{tmp_path / 'no-db' / 'comments.sqlite3'}",
                   "COMMENTS_INSTANCE_PATH": str(tmp_path / "instance"), **env}
    result = subprocess.run([sys.executable, "-m", "pelican", str(content), "-o", str(output),
                             "-s", str(ROOT / settings_file), "--fatal", "errors"],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    return result, output


def baked_form(page: str) -> dict[str, str]:
    """The no-JS form's fields as the page holds them, filled in as a reader would."""
    form = re.search(r'<form id="comment-form".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    return fields | {"author": "Reader", "text": "Posted from the published page.", "homepage": ""}


@pytest.fixture
def service(tmp_path):
    apps = []

    def make(manifest):
        app = create_app({"SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False, "MIN_FILL_SECONDS": 0,
                          "SITE_URL": "https://news.example.org",
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'service.sqlite3'}",
                          "INSTANCE_PATH": str(tmp_path / "service-instance"),
                          "THREADS_MANIFEST": str(manifest)})
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        with app.app_context():
            app_engine().dispose()


def test_publish_without_the_key_stops_naming_the_variable(tmp_path):
    result, output = build(tmp_path, "publish.conf.py")
    assert result.returncode != 0
    assert MISSING_SECRET_KEY in result.stdout + result.stderr
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_a_published_form_posted_without_javascript_is_accepted(tmp_path, service):
    result, output = build(tmp_path, "publish.conf.py", COMMENTS_SECRET_KEY=SECRET_KEY,
                           SITEURL="https://news.example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    client = service(output / "comments" / "threads.json")
    page = (output / f"{SLUG}.html").read_text(encoding="utf-8")
    response = client.post(f"/api/threads/{SLUG}/comments", data=baked_form(page))  # no Origin: a form
    assert response.status_code == 303, response.get_data(as_text=True)


def test_a_development_build_keeps_the_instance_key(tmp_path, service):
    """Development builds sign with the instance key, which a production service refuses: the
    reason a production build must not fall back to it."""
    result, output = build(tmp_path, "pelican.conf.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "instance" / "secret_key").exists()
    client = service(output / "comments" / "threads.json")
    page = (output / f"{SLUG}.html").read_text(encoding="utf-8")
    response = client.post(f"/api/threads/{SLUG}/comments", data=baked_form(page))
    assert response.status_code == 403
