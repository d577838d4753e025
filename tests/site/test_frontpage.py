"""The front page and section pages (plugins/frontpage, theme/templates/index.html, category.html):
the lead story, its fallback, the cards, the section blocks, and in Chromium at desktop and phone
widths, light and dark: no sideways scrolling, the layout, and axe-core's verdict.

Two sites: the fixture site (`built_site`: no featured article, so the newest, which has a lead
image, leads) and the plugin's test site plus that article and its picture (`sections_site`: an
older featured article without a picture leads; the pictured one is a card; section blocks).
"""

import re
import shutil
from pathlib import Path

import pytest

from plugins.references.tests.html_text import read_page
from tests.conftest import ROOT
from tests.site.conftest import FIXTURE_CONTENT, run_pelican, serve_folder

FRONTPAGE_CONTENT = ROOT / "plugins" / "frontpage" / "tests" / "content"
CARD_LINK = re.compile(r'<h2 class="summary-title"><a class="u-url p-name" href="/([\w-]+)\.html"')
ARTICLE = "Title: {title}\nDate: {date}\nCategory: {category}\nAuthor: Ann Lee\n{extra}\nText of {title}.\n"


def front(site: Path, page: str = "index.html") -> str:
    return (site / page).read_text(encoding="utf-8")


def lead_and_cards(html: str) -> tuple[list[str], list[str]]:
    top = html[html.index('<div class="front-lead">'):]
    lead, cards = top.split('<div class="card-grid">', 1)
    return CARD_LINK.findall(lead), CARD_LINK.findall(cards.split("</main>")[0])


@pytest.fixture(scope="module")
def sections_site(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("frontpage-content")
    shutil.copytree(FRONTPAGE_CONTENT, content, dirs_exist_ok=True)
    (content / "images").mkdir()
    shutil.copy2(FIXTURE_CONTENT / "images" / "ferries.jpg", content / "images" / "ferries.jpg")
    shutil.copy2(FIXTURE_CONTENT / "every-field.md", content / "every-field.md")
    output = content.parent / (content.name + "-output")
    result = run_pelican(content, output)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_without_a_featured_article_the_newest_leads_with_its_lead_image_fetched_first(built_site):
    html = front(built_site)
    lead, cards = lead_and_cards(html)
    assert lead == ["ferries-return"]
    assert cards == ["checking-sources", "council-budget", "harbour-reopens",
                     "wsj-trump-administration-reorganizes-delivery-of-patriot-systems-to-allies-prioritizing-ukraine"]
    lead_html = html[html.index('<div class="front-lead">'):html.index('<div class="card-grid">')]
    [image] = re.findall(r"<img [^>]*>", lead_html)
    assert 'fetchpriority="high"' in image and "loading=" not in image
    assert '<h1 class="vh">' in html and html.count("<h1") == 1


def test_the_newest_featured_article_leads(build):
    result, output = build({
        "old.md": ARTICLE.format(title="Old scoop", date="2025-07-01 08:00", category="World",
                                 extra="Featured: true\n"),
        "older.md": ARTICLE.format(title="Older scoop", date="2025-06-01 08:00", category="World",
                                   extra="Featured: yes\n"),
        "new.md": ARTICLE.format(title="New brief", date="2025-07-02 08:00", category="Local",
                                 extra="Featured: false\n"),
        "newest.md": ARTICLE.format(title="Newest brief", date="2025-07-03 08:00", category="Local",
                                    extra=""),
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert lead_and_cards(front(output)) == (["old-scoop"], ["newest-brief", "new-brief", "older-scoop"])


def test_a_card_has_title_link_section_label_byline_with_author_link_and_time_of_day(built_site):
    html = front(built_site)
    card = re.search(r'<article class="summary h-entry">\s*<p class="kicker">.*?</article>',
                     html[html.index('<div class="card-grid">'):], re.S).group()
    reader = read_page(card)
    assert reader.with_attr("class", "p-category") == [{"class": "p-category", "href": "/category/news.html"}]
    assert {"class": "u-url p-name", "href": "/checking-sources.html", "rel": "bookmark"} in [
        attrs for tag, attrs in reader.elements if tag == "a"]
    assert reader.lines()[:2] == ["News", "How the newsroom checks sources"]
    assert "By Newsroom · 18 July 2025, 08:00 UTC · 1 min read" in reader.lines()
    assert '<a class="p-author h-card" href="/author/newsroom.html">Newsroom</a>' in card
    assert ('<time class="dt-published" datetime="2025-07-18T08:00:00+00:00">'
            '18 July 2025, 08:00 UTC</time>') in card


def test_section_blocks_and_lazy_wide_thumbnails_in_the_grid(sections_site):
    html = front(sections_site)
    lead, cards = lead_and_cards(html)
    assert lead == ["world-2"] and cards[0] == "ferries-return" and len(cards) == 10
    [thumb] = re.findall(r'<img [^>]*>', html[html.index('<div class="card-grid">'):])
    assert 'loading="lazy"' in thumb and 'sizes="7rem"' not in thumb
    headings = re.findall(r'class="section-title"><a href="/(category/[\w-]+\.html)">', html)
    assert headings == ["category/politics.html", "category/science.html", "category/world.html"]


# In Chromium.

@pytest.fixture(scope="module")
def servers(built_site, sections_site):
    """Both sites over HTTP (root-relative URLs): {"fixture": base URL, "sections": base URL}."""
    with serve_folder(built_site) as fixture, serve_folder(sections_site) as sections:
        yield {"fixture": fixture, "sections": sections}


@pytest.fixture
def open_page(browser, servers):
    contexts = []

    def _open(site: str, path: str, width: int, scheme: str = "light"):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{servers[site]}/{path}")
        page.wait_for_load_state("load")
        return page

    yield _open
    for context in contexts:
        context.close()


PAGES = [("fixture", "index.html"), ("sections", "index.html"), ("sections", "category/world.html"),
         ("sections", "page/2/index.html")]
WIDTHS = {"desktop": 1280, "mobile": 390}
BOX = ("selector => { const r = document.querySelector(selector).getBoundingClientRect();"
       " return [r.left, r.top, r.width]; }")
COLUMNS = "getComputedStyle(document.querySelector('.card-grid')).gridTemplateColumns.split(' ').length"
BACKGROUND_LUMINANCE = """(() => {
    const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; })()"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize(("site", "path"), PAGES)
def test_browser_no_sideways_scrolling_and_axe_finds_no_violations(open_page, site, path, width, scheme):
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(site, path, width, scheme)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    luminance = page.evaluate(BACKGROUND_LUMINANCE)
    assert luminance > 0.9 if scheme == "light" else luminance < 0.1
    results = Axe().run(page, options={
        "runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]})
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.browser
def test_browser_desktop_puts_the_lead_picture_beside_its_headline_and_cards_in_columns(open_page):
    page = open_page("fixture", "index.html", WIDTHS["desktop"])
    image, title = page.evaluate(BOX, ".front-lead img"), page.evaluate(BOX, ".front-lead .summary-title")
    assert image[0] + image[2] <= title[0] and abs(image[1] - title[1]) < 40
    assert page.evaluate(COLUMNS) >= 3


@pytest.mark.browser
def test_browser_phone_stacks_the_lead_picture_above_its_headline_and_cards_in_one_column(open_page):
    page = open_page("fixture", "index.html", WIDTHS["mobile"])
    image, title = page.evaluate(BOX, ".front-lead img"), page.evaluate(BOX, ".front-lead .summary-title")
    assert image[1] + 10 < title[1] and image[2] > WIDTHS["mobile"] * 0.8
    assert page.evaluate(COLUMNS) == 1


@pytest.mark.browser
def test_browser_a_lead_without_a_picture_spans_the_page_and_grid_pictures_top_their_card(open_page):
    page = open_page("sections", "index.html", WIDTHS["desktop"])
    title = page.evaluate(BOX, ".front-lead .summary-title")
    assert title[0] < 100 and title[2] > 500  # not pushed into a column beside an empty picture box
    card = page.evaluate(BOX, ".card-grid .summary:has(img) .summary-title")
    picture = page.evaluate(BOX, ".card-grid .summary:has(img) img")
    assert picture[1] < card[1] and abs(picture[2] - card[2]) < 2
