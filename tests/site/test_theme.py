"""Built-output tests of theme/: every page type, <head> metadata, JSON-LD, feeds, the article
contract other pieces rely on, and (in Chromium) visible text, narrow screens, focus and axe-core.

The site is throwaway content written here, built once per module with the real settings files.
"""

import json
import re
import runpy
import xml.etree.ElementTree as etree
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from plugins.references.tests.html_text import read_page
from tests.conftest import ROOT
from tests.site.conftest import run_pelican, serve_folder

PUBLISH = runpy.run_path(str(ROOT / "publish.conf.py"))
SITEURL = PUBLISH["SITEURL"]
SITENAME = PUBLISH["SITENAME"]
#: The development build's feeds name the `make serve` origin (SITE_ORIGIN, else the default).
DEV_ORIGIN = runpy.run_path(str(ROOT / "pelican.conf.py"))["FEED_DOMAIN"]
ATOM = "{http://www.w3.org/2005/Atom}"

LONG_URL = "https://port.example.org/" + "notices/" * 10 + "2025-07-15-harbour-reopening-statement"
SEED_LIKE_TITLE = "Harbour reopens after the storm"
SEED_LIKE_PARAGRAPHS = [
    "The harbour reopened on Tuesday after three days of closure, the port authority said {}.",
    "Ferries resumed their timetable within hours, and the coastguard confirmed that the channel"
    " was clear of debris {}.",
]
SEED_LIKE_ARTICLE = "\n\n".join([
    f"Title: {SEED_LIKE_TITLE}\nSlug: seed-like\nDate: 2025-07-15 09:00\nCategory: World\nTags: harbour\nAuthor: Ann Lee",
    *(paragraph.format("[^port]") for paragraph in SEED_LIKE_PARAGRAPHS),
    f"[^port]: {LONG_URL}\n",
])
# What a reader sees of it: title, paragraphs with markers, references, then the comments section.
SEED_LIKE_LINES = [
    SEED_LIKE_TITLE,
    *(paragraph.format("[1]") for paragraph in SEED_LIKE_PARAGRAPHS),
    "References:",
    f"[1] {LONG_URL}",
    "Comments",
    "No comments yet",
]
#: The comments section ends with a link to the thread's feed (issue 13).
FOLLOW_LINE = "Follow this discussion (Atom feed)"

HOSTILE_ARTICLE = """Title: "Quoted" headline & </script> ending
Description: Says "hi" & </script> bye
Date: 2025-06-01 08:00
Slug: hostile

Plain text.
"""
CODE_ARTICLE = """Title: How we check sources
Date: 2025-05-01 08:00
Slug: code

    :::python
    def cite(key):  # a comment
        return f"[{key}]" if key else 42
"""
CLOSED_ARTICLE = """Title: Closed thread
Date: 2025-04-01 08:00
Slug: closed
Comments: closed

Nothing to discuss.
"""


def story(number: int) -> str:
    """A short article; stories alternate categories and authors so each list page has entries."""
    return (f"Title: Story {number}\nDate: 2025-03-{number + 1:02d} 08:00\n"
            f"Category: {'World' if number % 2 else 'Local news'}\nTags: briefs\n"
            f"Author: {'Ann Lee' if number % 3 else 'Bob Stone'}\nModified: 2025-03-20 10:00\n\n"
            f"Body of story {number}.\n")


SITE = {
    "seed-like.md": SEED_LIKE_ARTICLE,
    "hostile.md": HOSTILE_ARTICLE,
    "code.md": CODE_ARTICLE,
    "closed.md": CLOSED_ARTICLE,
    **{f"story-{number}.md": story(number) for number in range(10)},
    "pages/about.md": "Title: About us\n\nWe are a newsroom.\n",
}
PAGE_TYPES = [
    "index.html", "page/2/index.html", "category/world.html", "tag/briefs.html", "author/ann-lee.html",
    "archives.html", "2025/index.html", "categories.html", "tags.html", "authors.html",
    "pages/about-us.html", "seed-like.html",
]
FOCUSABLE_TAGS = {"a", "button", "input", "select", "textarea", "summary"}


def write_site(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def built(content: Path, output: Path, *extra: str, **settings) -> Path:
    result = run_pelican(content, output, *extra, **settings)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    return write_site(tmp_path_factory.mktemp("theme-content"), SITE)


@pytest.fixture(scope="module")
def dev_site(content, tmp_path_factory) -> Path:
    """Built with pelican.conf.py, plus yearly archives so period_archives.html renders too."""
    return built(content, tmp_path_factory.mktemp("theme-dev"), "-e",
                 'YEAR_ARCHIVE_SAVE_AS="{date:%Y}/index.html"')


@pytest.fixture(scope="module")
def published_site(content, tmp_path_factory) -> Path:
    return built(content, tmp_path_factory.mktemp("theme-publish"),
                 settings=ROOT / "publish.conf.py")


def html_files(site: Path) -> list[Path]:
    return sorted(path for path in site.rglob("*.html") if "theme" not in path.relative_to(site).parts)


def page(site: Path, name: str):
    return read_page((site / name).read_text(encoding="utf-8"))


def elements(reader, tag: str, **attrs: str) -> list[dict[str, str]]:
    """Attributes of every `tag` element whose attributes include all of `attrs` (class_ = class)."""
    wanted = {name.rstrip("_"): value for name, value in attrs.items()}
    return [found for name, found in reader.elements
            if name == tag and all(found.get(key) == value for key, value in wanted.items())]


def meta(reader, key: str) -> list[str]:
    """Contents of the <meta> tags named (name= or property=) `key`."""
    return [found["content"] for name, found in reader.elements
            if name == "meta" and key in (found.get("name"), found.get("property"))]


def canonical(reader) -> str:
    [link] = elements(reader, "link", rel="canonical")
    return link["href"]


def structured_data(html: str) -> list[dict]:
    """Every JSON-LD block, cut where an HTML parser ends a script: at the first `</script>`."""
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return [json.loads(block) for block in blocks]


def position(reader, tag: str, **attrs: str) -> int:
    """Index in document order of the first `tag` element with `attrs`."""
    wanted = elements(reader, tag, **attrs)
    assert wanted, f"no <{tag}> with {attrs}"
    return next(index for index, (name, found) in enumerate(reader.elements) if found is wanted[0])


def is_focusable(tag: str, attrs: dict[str, str]) -> bool:
    if "tabindex" in attrs:
        return int(attrs["tabindex"]) >= 0
    if tag == "a":
        return "href" in attrs
    return tag in FOCUSABLE_TAGS and attrs.get("type") != "hidden" and "disabled" not in attrs


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_every_page_type_renders_as_one_landmarked_page(dev_site, name):
    reader = page(dev_site, name)
    assert [tag for tag, _ in reader.elements].count("h1") == 1
    assert len(elements(reader, "main", id="main", tabindex="-1")) == 1
    for landmark in ("header", "nav", "footer"):
        assert elements(reader, landmark), landmark
    assert elements(reader, "html", lang="en")
    [stylesheet] = elements(reader, "link", rel="stylesheet")
    assert re.fullmatch(r"/theme/css/site\.[0-9a-f]{8}\.css", stylesheet["href"])  # plugins/assets
    fingerprinted = dev_site / stylesheet["href"].lstrip("/")
    assert fingerprinted.read_bytes() == (dev_site / "theme/css/site.css").read_bytes()


def test_article_follows_the_page_contract(dev_site):
    reader = page(dev_site, "seed-like.html")
    order = [
        position(reader, "main", id="main"),
        position(reader, "article", class_="article h-entry"),
        position(reader, "header", class_="article-header"),
        position(reader, "h1", class_="entry-title p-name"),
        position(reader, "p", class_="byline"),
        position(reader, "time", class_="dt-published", datetime="2025-07-15T09:00:00+00:00"),
        position(reader, "div", class_="entry-content e-content"),
        position(reader, "section", id="comments", class_="comments", **{"aria-labelledby": "comments-title"}),
        position(reader, "h2", id="comments-title"),
        position(reader, "p", class_="comments-empty"),
    ]
    assert order == sorted(order)


def test_article_reads_like_its_source_plus_a_byline(dev_site):
    lines = page(dev_site, "seed-like.html").lines()
    start = lines.index(SEED_LIKE_TITLE)
    byline = lines[start + 1]
    assert byline.startswith("15 July 2025") and "Ann Lee" in byline
    assert [lines[start]] + lines[start + 2:start + len(SEED_LIKE_LINES) + 1] == SEED_LIKE_LINES


def test_a_comments_metadata_string_keeps_the_empty_state(dev_site):
    reader = page(dev_site, "closed.html")
    assert elements(reader, "p", class_="comments-empty")
    assert not elements(reader, "ol", class_="comment-list")


def test_head_describes_an_article_for_search_and_sharing(published_site):
    reader = page(published_site, "story-3.html")
    url = f"{SITEURL}/story-3.html"
    assert canonical(reader) == url
    assert meta(reader, "description") == ["Body of story 3."]
    assert meta(reader, "og:type") == ["article"]
    assert meta(reader, "og:title") == ["Story 3"]
    assert meta(reader, "og:description") == ["Body of story 3."]
    assert meta(reader, "og:url") == [url]
    assert meta(reader, "og:site_name") == [SITENAME]
    assert meta(reader, "article:published_time") == ["2025-03-04T08:00:00+00:00"]
    assert meta(reader, "article:modified_time") == ["2025-03-20T10:00:00+00:00"]
    assert meta(reader, "article:author") == [f"{SITEURL}/author/bob-stone.html"]
    assert elements(reader, "meta", charset="utf-8")
    assert elements(reader, "meta", name="viewport")
    assert "Story 3 — " + SITENAME in reader.lines()


def test_json_ld_is_a_news_article(published_site):
    html = (published_site / "story-3.html").read_text(encoding="utf-8")
    [data] = structured_data(html)
    url = f"{SITEURL}/story-3.html"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Story 3"
    assert data["datePublished"] == "2025-03-04T08:00:00+00:00"
    assert data["dateModified"] == "2025-03-20T10:00:00+00:00"
    assert data["author"] == [{"@type": "Person", "name": "Bob Stone", "url": f"{SITEURL}/author/bob-stone.html"}]
    assert data["publisher"] == {"@type": "Organization", "name": SITENAME, "url": f"{SITEURL}/"}
    assert data["url"] == data["mainEntityOfPage"] == url


def test_quotes_and_script_end_tags_cannot_break_the_head(dev_site):
    html = (dev_site / "hostile.html").read_text(encoding="utf-8")
    [data] = structured_data(html)
    # The title's "</script>" reads as typed (a title's markup other than bare inline tags is
    # text: plugins/references TEXT_FIELDS); it is still no end tag in the JSON-LD or the head.
    assert data["headline"] == '"Quoted" headline & </script> ending'
    assert data["description"] == 'Says "hi" & bye'
    reader = read_page(html)
    inline_scripts = [attrs for tag, attrs in reader.elements if tag == "script" and "src" not in dict(attrs)]
    assert len(inline_scripts) == 1, "the JSON-LD block is the only inline script"
    assert meta(reader, "description") == ['Says "hi" & bye']
    assert meta(reader, "og:title") == ['"Quoted" headline & </script> ending']


def test_list_pages_say_which_page_they_are(dev_site):
    first, second = page(dev_site, "index.html"), page(dev_site, "page/2/index.html")
    assert len(elements(first, "article", class_="summary h-entry")) == 10
    assert len(elements(second, "article", class_="summary h-entry")) == len(SITE) - 1 - 10
    assert elements(first, "a", rel="next", href="/page/2/")
    assert canonical(second) == "/page/2/"
    assert elements(second, "a", rel="prev", href="/")
    assert canonical(first) == "/"
    assert meta(first, "og:title") != meta(second, "og:title")


def test_urls_are_absolute_under_publish_conf(published_site):
    for path in html_files(published_site):
        reader = page(published_site, path.relative_to(published_site))
        url = canonical(reader)
        assert url.startswith(f"{SITEURL}/"), path
        assert meta(reader, "og:url") == [url], path
    assert canonical(page(published_site, "index.html")) == f"{SITEURL}/"


def test_feeds_are_linked_in_every_build(dev_site, published_site):
    """Issue 15: the development build has feeds too, at the `make serve` origin (FEED_DOMAIN)."""
    atom = {"rel": "alternate", "type": "application/atom+xml"}
    for site, origin in ((dev_site, DEV_ORIGIN), (published_site, SITEURL)):
        assert [link["href"] for link in elements(page(site, "index.html"), "link", **atom)] == [
            f"{origin}/feeds/all.atom.xml"]
        feeds = [link["href"] for link in elements(page(site, "category/world.html"), "link", **atom)]
        assert feeds == [f"{origin}/feeds/all.atom.xml", f"{origin}/feeds/world.atom.xml"]
        for feed in feeds:
            assert (site / feed.removeprefix(f"{origin}/")).is_file()


@pytest.mark.parametrize("build", ["dev", "published"])
def test_atom_feeds_parse_with_absolute_ids_and_links(build, dev_site, published_site):
    site, origin = (dev_site, DEV_ORIGIN) if build == "dev" else (published_site, SITEURL)
    feeds = sorted((site / "feeds").glob("*.atom.xml"))
    assert feeds
    for feed in feeds:
        root = etree.parse(feed).getroot()
        assert root.tag == f"{ATOM}feed"
        assert root.findall(f"{ATOM}entry"), feed
        for node in root.iter(f"{ATOM}id"):
            assert urlsplit(node.text).scheme in {"https", "http", "tag"}, node.text
        for link in root.iter(f"{ATOM}link"):
            assert link.get("href").startswith(f"{origin}/"), link.get("href")


def test_pages_request_nothing_from_other_hosts(published_site):
    own_host = urlsplit(SITEURL).netloc
    for path in html_files(published_site):
        for tag, attrs in page(published_site, path.relative_to(published_site)).elements:
            fetched = attrs.get("src") or (attrs.get("href") if tag == "link" else None)
            if fetched:
                assert urlsplit(fetched).netloc in {"", own_host}, (path, tag, fetched)


def test_skip_link_is_the_first_focusable_element(dev_site):
    for path in html_files(dev_site):
        reader = page(dev_site, path.relative_to(dev_site))
        body = next(index for index, (tag, _) in enumerate(reader.elements) if tag == "body")
        first = next(attrs for tag, attrs in reader.elements[body:] if is_focusable(tag, attrs))
        assert first == {"class": "skip-link", "href": "#main"}, path


def test_ids_are_unique_on_every_page(dev_site):
    for path in html_files(dev_site):
        repeated = [id_ for id_, count in Counter(page(dev_site, path.relative_to(dev_site)).ids()).items()
                    if count > 1]
        assert not repeated, (path, repeated)


FAKE_COMMENTS_PLUGIN = '''
from markupsafe import Markup
from pelican import signals

from comments_service.core.section import render_section
from comments_service.core.settings import resolve


def comment(id_, author, website, replies=()):
    return {"id": id_, "author": author, "website": website, "html": f"<p>Text {id_}</p>",
            "created": f"2025-07-16T09:{id_:02d}:00Z", "date": "16 July 2025", "replies": list(replies)}


def bake(generator):
    for article in generator.articles:
        article.comments_thread = {"slug": article.slug, "url": article.url, "open": True, "count": 3,
                                   "last_id": 9, "form_token": "t", "api_url": "/api", "comments": [
            comment(7, "Ann <b>Lee</b>", "https://ann.example.org/", [comment(9, "Bob", "")]),
            comment(8, "Cy", ""),
        ]}
        article.comments_section = Markup(render_section(article.comments_thread, resolve()))
        article.comment_count = 3


def register():
    signals.article_generator_finalized.connect(bake)
'''


def test_baked_comments_render_threaded_with_counts_on_the_index(build, tmp_path):
    """Stands in for plugins/comments: sets comments_thread, comments_section (rendered by the
    one section builder) and comment_count as it does."""
    (tmp_path / "plugin").mkdir()
    (tmp_path / "plugin" / "fake_comments.py").write_text(FAKE_COMMENTS_PLUGIN, encoding="utf-8")
    result, output = build({"seed-like.md": SEED_LIKE_ARTICLE}, "-e",
                           f'PLUGIN_PATHS=["{tmp_path / "plugin"}"]',
                           'PLUGINS=["plugins.references", "fake_comments", "plugins.assets"]')
    assert result.returncode == 0, result.stdout + result.stderr
    html = (output / "seed-like.html").read_text(encoding="utf-8")
    reader = read_page(html)
    assert not elements(reader, "p", class_="comments-empty")
    order = [position(reader, "ol", class_="comment-list"),
             position(reader, "article", id="comment-7", class_="comment h-entry"),
             position(reader, "ol", class_="comment-replies"),
             position(reader, "article", id="comment-9", class_="comment h-entry"),
             position(reader, "article", id="comment-8", class_="comment h-entry")]
    assert order == sorted(order)
    assert "Ann &lt;b&gt;Lee&lt;/b&gt;" in html
    assert elements(reader, "a", href="https://ann.example.org/", rel="nofollow ugc noopener")
    assert elements(reader, "a", class_="u-url", href="#comment-9")
    assert elements(reader, "time", class_="dt-published", datetime="2025-07-16T09:07:00Z")
    assert "Ann <b>Lee</b> · 16 July 2025, 09:07 UTC" in reader.lines()
    index = page(output, "index.html")
    assert elements(index, "a", href="/seed-like.html#comments")
    assert "3 comments" in index.lines()


# In Chromium: what CSS changes (visible text, layout, focus, colours) and axe-core's verdict.

@pytest.fixture(scope="module")
def site_url(dev_site):
    """The dev site over HTTP (its URLs are root-relative, so file:// would lose the stylesheet)."""
    with serve_folder(dev_site) as url:
        yield url


@pytest.fixture
def open_page(browser, site_url):
    """Open a site path in a fresh page of the given width and colour scheme."""
    pages = []

    def _open(path: str, width: int = 390, scheme: str = "light"):
        new = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
        pages.append(new)
        new.goto(f"{site_url}/{path}")
        return new

    yield _open
    for opened in pages:
        opened.close()


#: What a reader reads: title, text, references and the comments (the form to post one is a
#: control, not text of the article, and follows what the seed shows).
VISIBLE_LINES = """[...document.querySelectorAll('.entry-title, .entry-content, #comments > :not(form)')]
    .filter(element => element.checkVisibility()).flatMap(element => element.innerText.split('\\n')).map(line => line.trim()).filter(Boolean)"""
BACKGROUND_LUMINANCE = """(() => {
    const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; })()"""


@pytest.mark.browser
def test_browser_shows_the_article_text_like_its_source(open_page):
    assert open_page("seed-like.html").evaluate(VISIBLE_LINES) == [*SEED_LIKE_LINES, FOLLOW_LINE]


@pytest.mark.browser
@pytest.mark.parametrize("path", ["seed-like.html", "index.html", "code.html", "archives.html"])
def test_browser_never_scrolls_sideways_on_a_small_phone(open_page, path):
    opened = open_page(path, width=320)
    assert opened.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.browser
def test_browser_first_tab_shows_the_skip_link_which_moves_focus_to_main(open_page):
    opened = open_page("seed-like.html")
    opened.keyboard.press("Tab")
    focused = opened.locator(":focus")
    assert focused.get_attribute("class") == "skip-link"
    assert focused.evaluate("element => getComputedStyle(element).outlineStyle") == "solid"
    assert focused.bounding_box()["y"] >= 0
    opened.keyboard.press("Enter")
    assert opened.evaluate("document.activeElement.id") == "main"


@pytest.mark.browser
def test_browser_backlinks_show_a_sign_and_are_tap_targets_of_at_least_24px(open_page):
    for link in open_page("seed-like.html", width=320).locator(".backlink").all():
        assert link.evaluate("element => getComputedStyle(element, '::before').content") not in {"none", '""'}
        box = link.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, box


@pytest.mark.browser
def test_browser_long_reference_url_starts_beside_its_label(open_page):
    entry = open_page("seed-like.html", width=320).locator(".reference-list li").first
    label_top = entry.locator(".ref-label").evaluate("element => element.getBoundingClientRect().top")
    url_top = entry.locator(f'a[href="{LONG_URL}"]').evaluate("element => element.getClientRects()[0].top")
    assert abs(label_top - url_top) < 4


@pytest.mark.browser
def test_browser_follows_the_reader_colour_scheme(open_page):
    assert open_page("seed-like.html", scheme="light").evaluate(BACKGROUND_LUMINANCE) > 0.9
    assert open_page("seed-like.html", scheme="dark").evaluate(BACKGROUND_LUMINANCE) < 0.1


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["seed-like.html", "index.html", "code.html", "archives.html"])
def test_browser_axe_finds_no_violations(open_page, path, scheme):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(open_page(path, scheme=scheme), options={
        "runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]})
    assert results.violations_count == 0, results.generate_report()
