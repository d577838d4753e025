"""plugins/discovery in real builds of the fixture site (tests/site/content) with the real
settings files: sitemap.xml, news-sitemap.xml and robots.txt in development, published and
preview builds, and the development build's feeds with absolute URLs."""

import runpy
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest

from plugins.discovery.sitemaps import NEWS_NS, SITEMAP_NS
from tests.conftest import ROOT
from tests.site.conftest import FIXTURE_CONTENT, run_pelican

SM = f"{{{SITEMAP_NS}}}"
NEWS = f"{{{NEWS_NS}}}"
ATOM = "{http://www.w3.org/2005/Atom}"
DEV_ORIGIN = runpy.run_path(str(ROOT / "pelican.conf.py"))["FEED_DOMAIN"]
SITEURL = "https://news.example.org"
#: The fixture's newest article is dated 19 July 2025, 08:00 UTC; the one before, 18 July.
NOW = '"2025-07-20T12:00:00+00:00"'
ARTICLES = ["ferries-return.html", "checking-sources.html", "council-budget.html", "harbour-reopens.html",
            "wsj-trump-administration-reorganizes-delivery-of-patriot-systems-to-allies-prioritizing-ukraine.html"]


def build(output: Path, *extra: str, settings: str = "pelican.conf.py") -> Path:
    result = run_pelican(FIXTURE_CONTENT, output, "-e", f"DISCOVERY_NOW={NOW}", *extra,
                         settings=ROOT / settings)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def dev_site(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("discovery-dev"))


@pytest.fixture(scope="module")
def published_site(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("discovery-publish"), settings="publish.conf.py")


def urls(path: Path) -> list[tuple[str, str | None]]:
    root = etree.parse(path).getroot()
    assert root.tag == f"{SM}urlset"
    return [(url.findtext(f"{SM}loc"), url.findtext(f"{SM}lastmod")) for url in root.findall(f"{SM}url")]


@pytest.mark.parametrize("which", ["dev", "published"])
def test_sitemap_lists_the_front_page_articles_and_sections_with_lastmod(which, dev_site, published_site):
    site, origin = (dev_site, DEV_ORIGIN) if which == "dev" else (published_site, SITEURL)
    found = dict(urls(site / "sitemap.xml"))
    assert list(found) == [f"{origin}/", *(f"{origin}/{name}" for name in ARTICLES),
                           f"{origin}/category/local.html", f"{origin}/category/news.html"]
    # Modified: 12:30 on the newest article: its lastmod, its section's and the front page's.
    assert found[f"{origin}/"] == "2025-07-19T12:30:00+00:00"
    assert found[f"{origin}/ferries-return.html"] == "2025-07-19T12:30:00+00:00"
    assert found[f"{origin}/category/local.html"] == "2025-07-19T12:30:00+00:00"
    assert found[f"{origin}/harbour-reopens.html"] == "2025-07-16T08:00:00+00:00"
    assert found[f"{origin}/category/news.html"] == "2025-07-18T08:00:00+00:00"
    for url in found:  # every URL is a page of the build
        path = url.removeprefix(f"{origin}/") or "index.html"
        assert (site / path).is_file(), url


def test_news_sitemap_has_the_articles_of_the_last_two_days(published_site):
    root = etree.parse(published_site / "news-sitemap.xml").getroot()
    [url] = root.findall(f"{SM}url")  # 19 July 08:00 is within two days of 20 July 12:00; 18 July is not
    assert url.findtext(f"{SM}loc") == f"{SITEURL}/ferries-return.html"
    assert url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}name") == "Newsroom"
    assert url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}language") == "en"
    assert url.findtext(f"{NEWS}news/{NEWS}publication_date") == "2025-07-19T08:00:00+00:00"
    assert url.findtext(f"{NEWS}news/{NEWS}title") == "Ferries return to the reopened harbour"


def test_news_sitemap_moves_with_now(tmp_path):
    site = build(tmp_path / "out", "-e", 'DISCOVERY_NOW="2025-07-17T09:00:00+00:00"')
    root = etree.parse(site / "news-sitemap.xml").getroot()
    assert [url.findtext(f"{SM}loc") for url in root.findall(f"{SM}url")] == [
        f"{DEV_ORIGIN}/council-budget.html", f"{DEV_ORIGIN}/harbour-reopens.html",
        f"{DEV_ORIGIN}/wsj-trump-administration-reorganizes-delivery-of-patriot-systems-to-allies-prioritizing-ukraine.html"]


@pytest.mark.parametrize("which", ["dev", "published"])
def test_robots_names_both_sitemaps_with_absolute_urls(which, dev_site, published_site):
    site, origin = (dev_site, DEV_ORIGIN) if which == "dev" else (published_site, SITEURL)
    assert (site / "robots.txt").read_text(encoding="utf-8") == (
        f"User-agent: *\nDisallow:\n\nSitemap: {origin}/sitemap.xml\nSitemap: {origin}/news-sitemap.xml\n")


def test_dev_feeds_use_the_serve_origin_while_pages_stay_root_relative(dev_site):
    root = etree.parse(dev_site / "feeds" / "all.atom.xml").getroot()
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(ARTICLES)
    for entry in entries:
        assert entry.find(f"{ATOM}link").get("href").startswith(f"{DEV_ORIGIN}/")
        assert entry.findtext(f"{ATOM}id").startswith("tag:")
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{DEV_ORIGIN}/feeds/all.atom.xml"
    page = (dev_site / "harbour-reopens.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="/harbour-reopens.html">' in page
    assert f'type="application/atom+xml" href="{DEV_ORIGIN}/feeds/local.atom.xml"' in page


def test_the_origin_follows_site_origin(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_ORIGIN", "http://127.0.0.1:8123")
    site = build(tmp_path / "out")
    assert "Sitemap: http://127.0.0.1:8123/sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    link = etree.parse(site / "feeds" / "all.atom.xml").getroot().find(f"{ATOM}entry/{ATOM}link")
    assert link.get("href").startswith("http://127.0.0.1:8123/")


def test_a_preview_forbids_crawling_and_has_no_sitemap(tmp_path):
    site = build(tmp_path / "preview", settings="preview.conf.py")
    assert (site / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /\n"
    assert not (site / "sitemap.xml").exists() and not (site / "news-sitemap.xml").exists()


def test_static_pages_are_listed_and_drafts_and_hidden_pages_are_not(tmp_path):
    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    files = {"story.md": "Title: Story\nDate: 2025-07-20 08:00\nSlug: story\n\nText.\n",
             "draft.md": "Title: Draft\nDate: 2025-07-20 09:00\nSlug: draft\nStatus: draft\n\nX.\n",
             "pages/about.md": "Title: About\nSlug: about\n\nWho we are.\n",
             "pages/secret.md": "Title: Secret\nSlug: secret\nStatus: hidden\n\nX.\n"}
    for name, text in files.items():
        (content / name).write_text(text, encoding="utf-8")
    result = run_pelican(content, tmp_path / "out", "-e", f"DISCOVERY_NOW={NOW}")
    assert result.returncode == 0, result.stdout + result.stderr
    newest = "2025-07-20T08:00:00+00:00"
    assert urls(tmp_path / "out" / "sitemap.xml") == [
        (f"{DEV_ORIGIN}/", newest), (f"{DEV_ORIGIN}/story.html", newest),
        (f"{DEV_ORIGIN}/category/news.html", newest), (f"{DEV_ORIGIN}/pages/about.html", None)]
    news = etree.parse(tmp_path / "out" / "news-sitemap.xml").getroot()
    assert [url.findtext(f"{SM}loc") for url in news] == [f"{DEV_ORIGIN}/story.html"]
