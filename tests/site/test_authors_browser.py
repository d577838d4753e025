"""In Chromium, on plugins/authors' test site: an author page with a profile and the authors list
pass axe-core, keep the photo box while the image loads (no layout shift) and never scroll sideways
on a small phone. (Here, not in plugins/authors/tests: Playwright allows one driver per session,
and the session's `browser` fixture is tests/conftest.py's.)"""


import pytest

from tests.conftest import ROOT
from tests.site.conftest import run_pelican, serve_folder

CONTENT = ROOT / "plugins" / "authors" / "tests" / "content"
PAGES = ["author/jane-doe.html", "authors.html", "harbour-reopens.html"]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    """The site built with pelican.conf.py (root-relative URLs), served over HTTP."""
    output = tmp_path_factory.mktemp("authors-dev") / "output"
    result = run_pelican(CONTENT, output)
    assert result.returncode == 0, result.stdout + result.stderr
    with serve_folder(output) as url:
        yield url


@pytest.fixture
def open_page(browser, site_url):
    pages = []

    def _open(path: str, width: int = 390, scheme: str = "light", images: bool = True):
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
        if not images:
            context.route("**/*.png", lambda route: route.abort())
        new = context.new_page()
        pages.append(context)
        new.goto(f"{site_url}/{path}")
        return new

    yield _open
    for context in pages:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_browser_axe_finds_no_violations(open_page, path, scheme):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(open_page(path, scheme=scheme), options={
        "runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]})
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_browser_never_scrolls_sideways_on_a_small_phone(open_page, path):
    assert open_page(path, width=320).evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.browser
@pytest.mark.parametrize("selector, path", [(".author-photo", "author/jane-doe.html"),
                                            (".author-thumb", "authors.html")])
def test_browser_photo_box_is_the_same_before_the_image_arrives(open_page, selector, path):
    box = "element => { const r = element.getBoundingClientRect(); return [r.width, r.height]; }"
    loaded = open_page(path).locator(selector).evaluate(box)
    missing = open_page(path, images=False).locator(selector).evaluate(box)
    assert loaded == missing and loaded[0] > 0 and loaded[1] > 0
