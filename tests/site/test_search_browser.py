"""Site search in Chromium (issue 15): the fixture site built with the real settings, indexed by
plugins/search as `make html` does, served over HTTP, searched as a reader does. (Here, not in the
plugin's tests, for the session's one Playwright driver: tests/conftest.py's `browser`.)"""

import functools
import http.server
import shutil
import threading

import pytest

from plugins.search import build_index
from tests.site.conftest import FIXTURE_CONTENT, run_pelican

pytestmark = pytest.mark.browser

#: An article whose text quotes markup: its excerpt must show it as typed.
HOSTILE_ARTICLE = """Title: Markup in the archive
Date: 2025-07-20 08:00
Slug: markup-archive
Category: Local

The zanzibarite filter printed `<img src=x onerror="window.pwned=1">` into the archive.
"""
HOSTILE_QUERY = '<img src=x onerror="window.pwned=1">'
SEARCH_ARTICLE = "harbour-reopens.html"
#: The live region's text, in the page.
STATUS = "document.getElementById('search-status').textContent"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature is http.server's
        """Keep test output clean."""


@pytest.fixture(scope="module")
def indexed_site(tmp_path_factory):
    """The fixture site plus one article quoting markup, built and indexed."""
    work = tmp_path_factory.mktemp("search-site")
    content = work / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    (content / "markup-archive.md").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    result = run_pelican(content, work / "output")
    assert result.returncode == 0, result.stdout + result.stderr
    assert build_index(work / "output") == 6
    return work / "output"


@pytest.fixture(scope="module")
def site_url(indexed_site):
    handler = functools.partial(QuietHandler, directory=str(indexed_site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


@pytest.fixture
def page(browser, site_url):
    """A fresh page that records every request it makes, and fails the test on a script error."""
    new = browser.new_page(viewport={"width": 390, "height": 800})
    new.requests_made = []
    new.errors = []
    new.on("request", lambda request: new.requests_made.append(request.url))
    new.on("pageerror", lambda error: new.errors.append(str(error)))
    new.site_url = site_url
    yield new
    assert not new.errors
    new.close()


def results(page) -> list[dict]:
    return page.eval_on_selector_all("#search-results > li", """items => items.map(item => ({
        title: item.querySelector('h2 a').textContent,
        href: item.querySelector('h2 a').getAttribute('href'),
        meta: item.querySelector('.search-result-meta')?.textContent ?? '',
        datetime: item.querySelector('.search-result-meta time')?.getAttribute('datetime') ?? '',
        excerpt: item.querySelector('.search-result-excerpt').textContent,
        marked: [...item.querySelectorAll('.search-result-excerpt mark')].map(m => m.textContent),
    }))""")


def search_from_header(page, words: str) -> None:
    """Type into the header's search field on an article and submit, as a reader does."""
    page.goto(f"{page.site_url}/{SEARCH_ARTICLE}")
    page.get_by_role("searchbox", name="Search the articles").fill(words)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search.html?q=*")
    page.wait_for_function(f"{STATUS}.endsWith('.') && !{STATUS}.startsWith('Searching')")


def test_a_word_in_one_article_finds_it_with_title_section_date_and_excerpt(page):
    search_from_header(page, "coastguard")
    assert page.locator("#search-status").text_content() == "1 result for “coastguard”."
    [found] = results(page)
    assert found["title"] == "Harbour reopens after storm"
    assert found["href"] == "/harbour-reopens.html"
    assert found["meta"] == "Local · 16 July 2025"
    assert found["datetime"] == "2025-07-16T08:00:00+00:00"
    assert "the coastguard confirmed that the channel was clear" in found["excerpt"]
    assert found["marked"] == ["coastguard"]
    assert page.locator("#search-fallback").is_hidden()
    assert page.locator("#search-nojs").count() == 0  # <noscript> is text while scripts run
    page.get_by_role("link", name="Harbour reopens after storm").click()
    page.wait_for_url(f"{page.site_url}/harbour-reopens.html")


def test_comments_byline_and_other_pages_are_not_indexed(page):
    """Only articles' titles and texts: "moderator" is in every article's comments section,
    "Tagged" in its byline, "Corrections" in its notice and every footer, "Categories" in every
    footer. (Pagefind also finds near spellings: "Comments" finds "commented".)"""
    for words in ("moderator", "Tagged", "Corrections", "Categories"):
        page.goto(f"{page.site_url}/search.html?q={words}")
        expected = f"No results for “{words}”."
        page.wait_for_function(f"{STATUS} === {expected!r}")
        assert results(page) == []


def test_a_query_without_results_says_so(page):
    search_from_header(page, "zqxjkv")
    assert page.locator("#search-status").text_content() == "No results for “zqxjkv”."
    assert results(page) == []


def test_hostile_query_and_page_text_render_as_text(page):
    search_from_header(page, HOSTILE_QUERY)
    status = page.locator("#search-status").text_content()
    assert HOSTILE_QUERY in status
    page.fill("#search-query", "zanzibarite")
    page.press("#search-query", "Enter")
    page.wait_for_function(f"{STATUS}.startsWith('1 result')")
    [found] = results(page)
    assert '<img src=x onerror="window.pwned=1">' in found["excerpt"]
    assert page.locator("#search-results img, #search-status img").count() == 0
    assert page.evaluate("window.pwned") is None
    assert page.url.endswith("?q=zanzibarite")
    page.go_back()
    page.wait_for_function("document.getElementById('search-query').value.startsWith('<img')")


def test_article_pages_load_nothing_of_search(page):
    """Costs nothing until used: an article loads no script or index of the search."""
    page.goto(f"{page.site_url}/{SEARCH_ARTICLE}")
    page.wait_for_load_state("networkidle")
    assert not [url for url in page.requests_made if "pagefind" in url or "search" in url]
    page.goto(f"{page.site_url}/search.html")
    page.wait_for_load_state("networkidle")
    assert not [url for url in page.requests_made if "pagefind" in url]


def test_every_request_stays_on_the_site(page):
    search_from_header(page, "harbour")
    assert len(results(page)) == 2
    assert all(url.startswith(page.site_url + "/") for url in page.requests_made)


def test_without_javascript_the_page_offers_the_archives_and_sections(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/{SEARCH_ARTICLE}")
    page.get_by_role("searchbox", name="Search the articles").fill("harbour")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search.html?q=harbour")
    fallback = page.locator("#search-nojs")
    assert fallback.is_visible() and "Search needs JavaScript" in fallback.inner_text()
    assert page.locator("#search-fallback").is_hidden()
    links = fallback.get_by_role("link")
    assert [links.nth(i).text_content() for i in range(links.count())] == ["archives", "Local", "News"]
    context.close()


def test_without_an_index_the_page_says_search_is_unavailable(browser, tmp_path):
    """A build without the index step (`pelican` alone): the page says so, offers the archives."""
    result = run_pelican(FIXTURE_CONTENT, tmp_path / "output")
    assert result.returncode == 0, result.stdout + result.stderr
    handler = functools.partial(QuietHandler, directory=str(tmp_path / "output"))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/search.html?q=harbour")
        fallback = page.locator("#search-fallback")
        fallback.wait_for(state="visible")
        assert page.locator("#search-status").text_content() == (
            "Search is unavailable: the search index could not be loaded.")
        links = fallback.get_by_role("link")
        assert [links.nth(i).text_content() for i in range(links.count())] == ["archives", "Local", "News"]
        page.close()
        server.shutdown()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_search_page_with_results(browser, site_url, scheme):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 390, "height": 800}, color_scheme=scheme)
    page.goto(f"{site_url}/search.html?q=harbour")
    page.wait_for_function(f"{STATUS}.startsWith('2 results')")
    for path in (None, SEARCH_ARTICLE):
        if path:
            page.goto(f"{site_url}/{path}")
        found = Axe().run(page, options={
            "runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]})
        assert found.violations_count == 0, found.generate_report()
    page.close()
