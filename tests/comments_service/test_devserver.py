"""`make serve` (comments_service/devserver.py): unknown URLs answer the site's 404 page with
status 404 while the service keeps its own errors, and a folder built by `make publish` is
refused with a message saying what to run (issue 15)."""

import os
import re
import shutil

import pytest
from werkzeug.test import Client

from comments_service import devserver
from tests.conftest import ROOT
from tests.site.conftest import FIXTURE_CONTENT, run_pelican


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture site built as `make html` does, and as `make publish` does."""
    root = tmp_path_factory.mktemp("devserver-sites")
    for name, settings in (("output", "pelican.conf.py"), ("public", "publish.conf.py")):
        result = run_pelican(FIXTURE_CONTENT, root / name, settings=ROOT / settings)
        assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.fixture
def serve(built, tmp_path, monkeypatch):
    """A test client of the devserver's WSGI app for a copy of the `make html` build."""
    site = tmp_path / "output"
    shutil.copytree(built / "output", site)
    for name in [name for name in os.environ if name.startswith("COMMENTS_")]:
        monkeypatch.delenv(name)
    for name, value in devserver.development_environment(site).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COMMENTS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("COMMENTS_RATELIMIT_ENABLED", "false")
    return site, lambda: Client(devserver.site_and_service(site))


@pytest.mark.parametrize("path", ["/no-such-article.html", "/a/b/c/", "/theme/css/nothing.css", "/api-not"])
def test_an_unknown_page_answers_the_sites_404_page(serve, path):
    site, client = serve
    response = client().get(path)
    assert response.status_code == 404 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert page == (site / "404.html").read_text(encoding="utf-8")
    assert "<h1 class=\"page-title\">Page not found</h1>" in page and 'href="/search.html"' in page


def test_head_of_an_unknown_page_is_404_too(serve):
    _, client = serve
    assert client().head("/missing.html").status_code == 404


def test_without_a_404_page_the_answer_is_plain_text(serve):
    site, client = serve
    (site / "404.html").unlink()
    response = client().get("/missing.html")
    assert response.status_code == 404 and response.mimetype == "text/plain"
    assert "Not found" in response.get_data(as_text=True)


def test_the_api_keeps_its_json_errors(serve):
    _, client = serve
    response = client().get("/api/no-such-endpoint")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "not_found"


def test_pages_and_folders_still_serve(serve):
    _, client = serve
    front = client().get("/")
    assert front.status_code == 200 and "Newsroom" in front.get_data(as_text=True)
    assert client().get("/theme/css/site.css").status_code == 200
    assert client().get("/api/health").status_code == 200


def test_the_404_page_links_home_sections_and_search(built):
    page = (built / "output" / "404.html").read_text(encoding="utf-8")
    for link in ('href="/"', 'href="/search.html"', 'href="/category/news.html"', 'class="site-header"'):
        assert link in page, link
    assert re.search(r'href="/theme/css/site\.[0-9a-f]{8}\.css"', page)  # fingerprinted: plugins/assets


def test_serve_refuses_a_publish_build_and_says_to_run_make_html(built, capsys):
    with pytest.raises(SystemExit) as stopped:
        devserver.main(["--site", str(built / "public"), "--port", "8123"])
    message = str(stopped.value.code)
    assert "news.example.org" in message and "make html" in message and "\n" not in message


def test_a_publish_build_for_the_served_address_is_accepted(built):
    """SITEURL=http://127.0.0.1:PORT make publish (as bench/lighthouse.py builds) is served."""
    assert devserver.foreign_site_host(built / "output", "127.0.0.1", 8000) is None
    assert devserver.foreign_site_host(built / "public", "127.0.0.1", 8000) == "news.example.org"
    index = built / "public" / "index.html"
    local = index.read_text(encoding="utf-8").replace("https://news.example.org", "http://127.0.0.1:8000")
    copy = built / "local-publish"
    copy.mkdir(exist_ok=True)
    (copy / "index.html").write_text(local, encoding="utf-8")
    assert devserver.foreign_site_host(copy, "127.0.0.1", 8000) is None
    assert devserver.foreign_site_host(copy, "127.0.0.1", 9000) == "127.0.0.1:8000"


ARTICLE = "Title: Harbour reopens\nDate: 2025-07-16 09:00\nCategory: Local\n\nThe harbour reopened.\n"


def test_make_publish_writes_its_own_folder_and_leaves_what_make_serve_shows(tmp_path):
    from plugins.build_errors.tests.make_html import last_line, make_html

    assert make_html(tmp_path, {"harbour.md": ARTICLE}).returncode == 0
    served = {path: path.read_bytes() for path in (tmp_path / "output").rglob("*") if path.is_file()}
    result = make_html(tmp_path, {}, target="publish", env={"SITEURL": "https://news.example.org"})
    assert result.returncode == 0, result.stdout
    assert {path: path.read_bytes() for path in (tmp_path / "output").rglob("*") if path.is_file()} == served
    published = (tmp_path / "public" / "harbour-reopens.html").read_text(encoding="utf-8")
    assert re.search(r'href="https://news\.example\.org/theme/css/site\.[0-9a-f]{8}\.css"', published)
    assert devserver.foreign_site_host(tmp_path / "output", "127.0.0.1", 8000) is None
    refused = make_html(tmp_path, {}, target="preview", PREVIEWDIR="public/drafts")
    assert refused.returncode != 0
    assert last_line(refused) == ("make preview: PREVIEWDIR must be outside PUBLISHDIR "
                                  "(public is the live site)")
