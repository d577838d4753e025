"""plugins/corrections in Chromium: the notice and the Corrections page as a reader sees them, on
a small phone, and axe-core's verdict in both colour schemes. (Here, not in the plugin's tests,
for the session's one Playwright driver: tests/conftest.py's `browser`.)"""


import pytest

from plugins.corrections.tests.conftest import built
from plugins.corrections.tests.test_site import HARBOUR_TEXT_1, HARBOUR_TEXT_2
from tests.site.conftest import serve_folder

pytestmark = pytest.mark.browser

VISIBLE_LINES = """[...document.querySelectorAll('.corrections p')]
    .filter(element => element.checkVisibility()).map(element => element.innerText.trim())"""


@pytest.fixture(scope="module")
def dev_site(tmp_path_factory):
    return built(tmp_path_factory.mktemp("corrections-browser"))


@pytest.fixture(scope="module")
def site_url(dev_site):
    """The dev site over HTTP (root-relative URLs: file:// would lose the stylesheet)."""
    with serve_folder(dev_site) as url:
        yield url


@pytest.fixture
def open_page(browser, site_url):
    pages = []

    def _open(path: str, width: int = 390, scheme: str = "light"):
        new = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
        pages.append(new)
        new.goto(f"{site_url}/{path}")
        return new

    yield _open
    for opened in pages:
        opened.close()


def test_browser_shows_the_notice(open_page):
    assert open_page("harbour.html").evaluate(VISIBLE_LINES) == [
        f"Correction, 16 July 2025, 10:00 UTC: {HARBOUR_TEXT_2}",
        f"Correction, 17 July 2025, 08:15 UTC: {HARBOUR_TEXT_1}",
    ]


@pytest.mark.parametrize("path", ["harbour.html", "corrections.html"])
def test_browser_never_scrolls_sideways_on_a_small_phone(open_page, path):
    assert open_page(path, width=320).evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["harbour.html", "corrections.html"])
def test_browser_axe_finds_no_violations(open_page, path, scheme):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(open_page(path, scheme=scheme), options={
        "runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]})
    assert results.violations_count == 0, results.generate_report()
