"""Golden checks of a lead image on a published article: the <figure>, Open Graph and JSON-LD.

Built with publish.conf.py (absolute URLs, as link previews need) and the plugin's real cache
code in a throwaway folder; the file names' hash comes from the cache's own key function, so
the page is compared whole, everything else literal.
"""

import functools
import http.server
import json
import re
import threading

import pytest

from plugins.images import DEFAULT_WIDTHS
from plugins.images.cache import ImageCache
from plugins.images.tests.pictures import jpeg
from plugins.references.tests.html_text import read_page
from tests.conftest import ROOT
from tests.site.conftest import run_pelican
from tests.site.test_theme import SITEURL, QuietHandler

PICTURE = jpeg(2000, 1250)
ARTICLE = """Title: Harbour reopens
Date: 2025-07-15 09:00
Slug: harbour
Image: images/harbour.jpg
ImageAlt: Ferries "moored" at dawn & gulls
ImageCaption: The harbour on Tuesday, <b>before</b> the first ferry.
ImageCredit: Photo: Ana Ruiz / Harbour Times

The harbour reopened on Tuesday.
"""
#: Control characters (NUL, escape), right-to-left text and a very long caption: all handled.
HOSTILE = ("Title: Odd values\nDate: 2025-07-13 09:00\nSlug: odd\nImage: images/../images/harbour.jpg\n"
           "ImageAlt: Quay\x00side \x1b[31m \u202eشاطئ\nImageCaption: " + "Long caption. " * 400 +
           "\n\nText.\n")
PLAIN = "Title: No picture\nDate: 2025-07-14 09:00\nSlug: plain\n\nJust text.\n"


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    content = tmp_path_factory.mktemp("images-content")
    (content / "images").mkdir()
    (content / "images" / "harbour.jpg").write_bytes(PICTURE)
    (content / "harbour.md").write_text(ARTICLE, encoding="utf-8")
    (content / "plain.md").write_text(PLAIN, encoding="utf-8")
    (content / "odd.md").write_text(HOSTILE, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("images-cache")


def built(content, cache, output, settings):
    result = run_pelican(content, output, "-e", f'IMAGES_CACHE_PATH="{cache}"', settings=settings)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def site(content, cache, tmp_path_factory):
    """Published (absolute URLs); with the key of PICTURE, which names its variants."""
    output = built(content, cache, tmp_path_factory.mktemp("images-output"), ROOT / "publish.conf.py")
    return output, ImageCache(cache, DEFAULT_WIDTHS).key(PICTURE)


def srcset(key: str, ext: str) -> str:
    return ", ".join(f"{SITEURL}/images/{key}-{w}.{ext} {w}w" for w in (480, 800, 1200, 1600))


def test_the_figure_is_a_responsive_picture_above_the_text(site):
    output, key = site
    html = (output / "harbour.html").read_text(encoding="utf-8")
    figure = re.search(r'<figure class="lead-image">.*?</figure>', html, re.DOTALL).group(0)
    sizes = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
    assert figure.splitlines() == [
        '<figure class="lead-image">',
        '  <picture>',
        f'    <source type="image/webp" srcset="{srcset(key, "webp")}" sizes="{sizes}">',
        f'    <img src="{SITEURL}/images/{key}-800.jpg" srcset="{srcset(key, "jpg")}" sizes="{sizes}" '
        'width="1600" height="1000" alt="Ferries &#34;moored&#34; at dawn &amp; gulls" '
        'decoding="async" fetchpriority="high">',
        '  </picture>',
        '  <figcaption>The harbour on Tuesday, &lt;b&gt;before&lt;/b&gt; the first ferry. '
        '<span class="credit">Photo: Ana Ruiz / Harbour Times</span></figcaption>',
        '</figure>',
    ]
    assert 'loading="lazy"' not in figure
    assert html.index(figure) < html.index('<div class="entry-content')
    for width in (480, 800, 1200, 1600):
        for ext in ("webp", "jpg"):
            assert (output / "images" / f"{key}-{width}.{ext}").is_file()
    assert not (output / "images" / "harbour.jpg").exists()


def test_a_reader_sees_the_caption_and_credit_between_byline_and_text(site):
    output, _ = site
    lines = read_page((output / "harbour.html").read_text(encoding="utf-8")).lines()
    start = lines.index("Harbour reopens")
    assert lines[start + 2:start + 4] == [
        "The harbour on Tuesday, <b>before</b> the first ferry. Photo: Ana Ruiz / Harbour Times",
        "The harbour reopened on Tuesday.",
    ]


def test_list_pages_show_a_small_lazy_picture_beside_the_summary(site):
    output, key = site
    # A plain list (the front page, index.html, shows its lead story's full lead image instead).
    html = (output / "author" / "newsroom.html").read_text(encoding="utf-8")
    summaries = re.findall(r'<article class="summary h-entry">.*?</article>', html, re.DOTALL)
    pictured = [summary for summary in summaries if "Harbour reopens" in summary]
    assert len(summaries) == 3 and len(pictured) == 1
    assert sum("<picture" in summary for summary in summaries) == 2  # harbour and odd, not plain
    [picture] = re.findall(r'<picture class="summary-image">.*?</picture>', pictured[0], re.DOTALL)
    assert [line.strip() for line in picture.splitlines()] == [
        '<picture class="summary-image">',
        f'<source type="image/webp" srcset="{srcset(key, "webp")}" sizes="7rem">',
        f'<img src="{SITEURL}/images/{key}-480.jpg" srcset="{srcset(key, "jpg")}" sizes="7rem" '
        'width="1600" height="1000" alt="Ferries &#34;moored&#34; at dawn &amp; gulls" '
        'loading="lazy" decoding="async">',
        '</picture>',
    ]
    assert pictured[0].index(picture) < pictured[0].index('<div class="p-summary">')


def meta(html: str, key: str) -> list[str]:
    return re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)


def test_link_previews_and_json_ld_name_the_picture(site):
    output, key = site
    html = (output / "harbour.html").read_text(encoding="utf-8")
    share = f"{SITEURL}/images/{key}-1200.jpg"
    assert meta(html, "og:image") == [share]
    assert meta(html, "og:image:type") == ["image/jpeg"]
    assert (meta(html, "og:image:width"), meta(html, "og:image:height")) == (["1200"], ["750"])
    assert meta(html, "og:image:alt") == ["Ferries &#34;moored&#34; at dawn &amp; gulls"]
    assert meta(html, "twitter:card") == ["summary_large_image"]
    [data] = [json.loads(block) for block in
              re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)]
    assert data["@type"] == "NewsArticle"
    assert data["image"] == {
        "@type": "ImageObject", "url": share, "width": 1200, "height": 750,
        "caption": "The harbour on Tuesday, <b>before</b> the first ferry.",
        "creditText": "Photo: Ana Ruiz / Harbour Times"}


def test_an_article_without_a_lead_image_has_none_of_it(site):
    output, _ = site
    html = (output / "plain.html").read_text(encoding="utf-8")
    assert "<figure" not in html and "og:image" not in html and "twitter:card" not in html
    [data] = [json.loads(block) for block in
              re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)]
    assert "image" not in data


def test_odd_values_are_handled_and_share_the_variants(site):
    output, key = site
    html = (output / "odd.html").read_text(encoding="utf-8")
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", html)
    [alt] = re.findall(r'<img src="[^"]*" srcset="[^"]*" sizes="[^"]*" width="1600" height="1000" alt="([^"]*)"', html)
    assert alt == "Quay side  [31m \u202eشاطئ"
    assert ("Long caption. " * 400).strip() in html
    assert f"{SITEURL}/images/{key}-800.jpg" in html


# In Chromium: the room kept before the picture loads, the format and width chosen, axe-core.

@pytest.fixture(scope="module")
def site_url(content, cache, tmp_path_factory):
    """The dev build (root-relative URLs) over HTTP."""
    output = built(content, cache, tmp_path_factory.mktemp("images-dev"), ROOT / "pelican.conf.py")
    handler = functools.partial(QuietHandler, directory=str(output))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


IMAGE_BOX = "(() => { const r = document.querySelector('.lead-image img').getBoundingClientRect();" \
            " return [r.width, r.height, document.querySelector('.entry-content').getBoundingClientRect().top]; })()"


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_browser_keeps_the_pictures_room_before_it_loads(browser, site_url, width):
    """The text does not move when the picture arrives: same box with the picture blocked."""
    boxes = []
    for blocked in (True, False):
        page = browser.new_page(viewport={"width": width, "height": 800})
        if blocked:
            page.route("**/images/**", lambda route: route.abort())
        page.goto(f"{site_url}/harbour.html", wait_until="load")
        boxes.append(page.evaluate(IMAGE_BOX))
        page.close()
    (blocked_width, blocked_height, blocked_text), loaded = boxes
    assert blocked_width == pytest.approx(min(width - 32, 672), abs=1)
    assert blocked_height == pytest.approx(blocked_width * 1000 / 1600, abs=1)
    assert loaded == pytest.approx([blocked_width, blocked_height, blocked_text], abs=0.5)


@pytest.mark.browser
def test_browser_picks_a_webp_about_the_column_width(browser, site_url):
    page = browser.new_page(viewport={"width": 390, "height": 800}, device_scale_factor=2)
    page.goto(f"{site_url}/harbour.html", wait_until="load")
    chosen = page.evaluate("document.querySelector('.lead-image img').currentSrc")
    page.close()
    assert re.search(r"/images/[0-9a-f]{20}-800\.webp$", chosen), chosen  # 358 css px at 2x


@pytest.mark.browser
@pytest.mark.parametrize("path", ["harbour.html", "index.html"])
def test_browser_never_scrolls_sideways_on_a_small_phone(browser, site_url, path):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{site_url}/{path}", wait_until="load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["harbour.html", "index.html"])
def test_browser_axe_finds_no_violations_on_pictured_pages(browser, site_url, path, scheme):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 390, "height": 800}, color_scheme=scheme)
    page.goto(f"{site_url}/{path}")
    results = Axe().run(page, options={
        "runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]})
    page.close()
    assert results.violations_count == 0, results.generate_report()
