"""The built site (conftest.py): the notice, the byline, the JSON-LD, the Corrections page and
its feed."""

import json
import re
import runpy
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest

from plugins.references.tests.html_text import read_page
from tests.conftest import ROOT
from tests.site.conftest import run_pelican

SITEURL = "https://news.example.org"
#: The development build's feeds name the `make serve` origin (SITE_ORIGIN, else the default).
DEV_ORIGIN = runpy.run_path(str(ROOT / "pelican.conf.py"))["FEED_DOMAIN"]
ATOM = "{http://www.w3.org/2005/Atom}"

HARBOUR_NOTICE = """<section class="corrections" aria-label="Corrections">
  <p class="correction" id="harbour-correction-2"><strong>Correction</strong>, <time datetime="2025-07-16T10:00:00+00:00">16 July 2025, 10:00 UTC</time>: An earlier version said the harbour reopened on <em>Monday</em>; it reopened on Tuesday &amp; Wednesday.</p>
  <p class="correction" id="harbour-correction-1"><strong>Correction</strong>, <time datetime="2025-07-17T08:15:00+00:00">17 July 2025, 08:15 UTC</time>: The port authority's name was misspelt, and its <a href="https://port.example.org/notices/1">statement</a> was dated 14 July, not 15 July.</p>
</section>"""
HARBOUR_TEXT_1 = ("The port authority's name was misspelt, and its statement was dated 14 July, "
                  "not 15 July.")
HARBOUR_TEXT_2 = "An earlier version said the harbour reopened on Monday; it reopened on Tuesday & Wednesday."
COUNCIL_TEXT = "1986. That is the year the old budget rule began, not 1968."


def html(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def notice(page: str) -> str | None:
    found = re.search(r'<section class="corrections".*?</section>', page, re.DOTALL)
    return found.group(0) if found else None


def structured_data(page: str) -> dict:
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    return json.loads(block)


def test_the_notice_prints_each_correction_oldest_first_after_the_text(dev_site):
    page = html(dev_site, "harbour.html")
    assert notice(page) == HARBOUR_NOTICE
    lines = read_page(page).lines()
    text = lines.index("The harbour reopened on Tuesday after three days of closure.")
    assert lines[text + 1:text + 4] == [
        f"Correction, 16 July 2025, 10:00 UTC: {HARBOUR_TEXT_2}",
        f"Correction, 17 July 2025, 08:15 UTC: {HARBOUR_TEXT_1}",
        "Comments",
    ]


def test_correction_text_stays_inline_whatever_it_starts_with(dev_site):
    [paragraph] = re.findall(r'<p class="correction".*?</p>', html(dev_site, "council.html"))
    assert paragraph.endswith(f": {COUNCIL_TEXT}</p>")


def test_an_article_without_corrections_shows_nothing_more(dev_site):
    page = html(dev_site, "ferries.html")
    assert notice(page) is None
    lines = read_page(page).lines()
    text = lines.index("Ferries resumed their timetable within hours.")
    assert lines[text + 1:text + 3] == ["Comments", "No comments yet"]
    assert "correction" not in structured_data(page)


def test_the_byline_says_updated_with_date_and_time(dev_site):
    page = html(dev_site, "ferries.html")
    assert ('Updated <time class="dt-updated" datetime="2025-07-16T17:45:00+00:00">'
            "16 July 2025, 17:45 UTC</time>") in page
    byline = next(line for line in read_page(page).lines() if line.startswith("16 July 2025"))
    assert byline.startswith("16 July 2025 · Updated 16 July 2025, 17:45 UTC · By ")


def test_json_ld_lists_the_corrections_and_the_latest_change(published_site):
    data = structured_data(html(published_site, "harbour.html"))
    assert data["correction"] == [
        {"@type": "CorrectionComment", "text": HARBOUR_TEXT_2, "datePublished": "2025-07-16T10:00:00+00:00"},
        {"@type": "CorrectionComment", "text": HARBOUR_TEXT_1, "datePublished": "2025-07-17T08:15:00+00:00"},
    ]
    # The last correction is later than Modified (16 July, 11:30).
    assert data["dateModified"] == "2025-07-17T08:15:00+00:00"
    assert data["datePublished"] == "2025-07-15T09:00:00+00:00"
    assert 'property="article:modified_time" content="2025-07-17T08:15:00+00:00"' in html(published_site, "harbour.html")
    council = structured_data(html(published_site, "council.html"))
    assert council["dateModified"] == "2025-07-18T09:05:00+00:00"
    assert structured_data(html(published_site, "ferries.html"))["dateModified"] == "2025-07-16T17:45:00+00:00"


def test_the_corrections_page_lists_published_corrections_newest_first(dev_site):
    page = html(dev_site, "corrections.html")
    reader = read_page(page)
    lines = reader.lines()
    start = lines.index("Corrections")
    assert lines[start + 1:start + 9] == [
        "When we get something wrong, we correct the article and say so at its end. "
        "Every correction is listed here, newest first. Follow corrections (Atom feed)",
        "Council approves budget",
        f"18 July 2025, 09:05 UTC: {COUNCIL_TEXT}",
        "Harbour reopens after storm",
        f"17 July 2025, 08:15 UTC: {HARBOUR_TEXT_1}",
        "Harbour reopens after storm",
        f"16 July 2025, 10:00 UTC: {HARBOUR_TEXT_2}",
        "Newsroom: News with sources you can check",  # the footer: the draft's correction is not listed
    ]
    links = [attrs["href"] for attrs in reader.with_attr("class", "u-url")]
    assert links == ["/council.html#council-correction-1", "/harbour.html#harbour-correction-1",
                     "/harbour.html#harbour-correction-2"]
    assert "<em>budget</em>" in page  # entry titles are HTML, as everywhere on the site
    assert [attrs["href"] for tag, attrs in reader.elements
            if tag == "link" and attrs.get("type") == "application/atom+xml"] == [
        f"{DEV_ORIGIN}/feeds/all.atom.xml", f"{DEV_ORIGIN}/corrections.atom.xml"]


def test_every_page_links_the_corrections_page_from_the_footer(dev_site):
    for name in ("index.html", "ferries.html", "corrections.html"):
        footer = html(dev_site, name).split('<footer class="site-footer">')[1]
        assert '<a href="/corrections.html"' in footer, name


def test_the_feed_is_written_and_linked_in_every_build(dev_site, published_site):
    """Issue 15: the development build's feed has absolute links too, at the `make serve` origin."""
    root = etree.parse(dev_site / "corrections.atom.xml").getroot()
    links = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert links and all(link.startswith(f"{DEV_ORIGIN}/") for link in links), links
    assert f'<a href="{DEV_ORIGIN}/council.html#council-correction-1">' in root.find(f"{ATOM}entry/{ATOM}content").text
    reader = read_page(html(published_site, "corrections.html"))
    feed = f"{SITEURL}/corrections.atom.xml"
    assert [attrs["href"] for tag, attrs in reader.elements
            if tag == "link" and attrs.get("type") == "application/atom+xml"] == [f"{SITEURL}/feeds/all.atom.xml", feed]
    assert reader.with_attr("href", feed)
    assert "Follow corrections (Atom feed)" in reader.lines()[reader.lines().index("Corrections") + 1]


def test_the_feed_has_one_entry_per_correction_newest_first(published_site):
    root = etree.parse(published_site / "corrections.atom.xml").getroot()
    assert root.findtext(f"{ATOM}title") == "Newsroom - Corrections"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{SITEURL}/corrections.atom.xml"
    assert root.findtext(f"{ATOM}updated") == "2025-07-18T09:05:00+00:00"
    entries = [{
        "title": entry.findtext(f"{ATOM}title"),
        "link": entry.find(f"{ATOM}link").get("href"),
        "id": entry.findtext(f"{ATOM}id"),
        "published": entry.findtext(f"{ATOM}published"),
        "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
        "content": entry.findtext(f"{ATOM}content"),
    } for entry in root.findall(f"{ATOM}entry")]
    assert entries == [
        {"title": "Correction: Council approves budget",
         "link": f"{SITEURL}/council.html#council-correction-1",
         "id": "tag:news.example.org,2025-07-18:/council.html/council-correction-1",
         "published": "2025-07-18T09:05:00+00:00", "author": "Newsroom",
         "content": f"<p>{COUNCIL_TEXT}</p>\n<p>Correction to "
                    f'<a href="{SITEURL}/council.html#council-correction-1">Council approves budget</a>.</p>'},
        {"title": "Correction: Harbour reopens after storm",
         "link": f"{SITEURL}/harbour.html#harbour-correction-1",
         "id": "tag:news.example.org,2025-07-17:/harbour.html/harbour-correction-1",
         "published": "2025-07-17T08:15:00+00:00", "author": "Newsroom",
         "content": "<p>The port authority's name was misspelt, and its "
                    '<a href="https://port.example.org/notices/1">statement</a> was dated 14 July, not 15 July.</p>\n'
                    f'<p>Correction to <a href="{SITEURL}/harbour.html#harbour-correction-1">'
                    "Harbour reopens after storm</a>.</p>"},
        {"title": "Correction: Harbour reopens after storm",
         "link": f"{SITEURL}/harbour.html#harbour-correction-2",
         "id": "tag:news.example.org,2025-07-16:/harbour.html/harbour-correction-2",
         "published": "2025-07-16T10:00:00+00:00", "author": "Newsroom",
         "content": "<p>An earlier version said the harbour reopened on <em>Monday</em>; it reopened on "
                    "Tuesday &amp; Wednesday.</p>\n"
                    f'<p>Correction to <a href="{SITEURL}/harbour.html#harbour-correction-2">'
                    "Harbour reopens after storm</a>.</p>"},
    ]


def test_times_without_an_offset_are_in_the_site_time_zone(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "tz.md").write_text(
        "Title: Time zones\nDate: 2025-07-15 09:00\nSlug: tz\n"
        "Correction: 2025-07-16 10:00 | Local time.\n"
        "Correction: 2025-07-16 10:00+00:00 | Given in UTC.\n\nText.\n", encoding="utf-8")
    result = run_pelican(content, tmp_path / "output", "-e", 'TIMEZONE="Europe/Paris"')
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "output" / "tz.html").read_text(encoding="utf-8")
    assert [line for line in read_page(page).lines() if line.startswith("Correction,")] == [
        "Correction, 16 July 2025, 10:00 CEST: Local time.",
        "Correction, 16 July 2025, 12:00 CEST: Given in UTC.",
    ]
    assert [item["datePublished"] for item in structured_data(page)["correction"]] == [
        "2025-07-16T10:00:00+02:00", "2025-07-16T12:00:00+02:00"]


def test_html_in_a_correction_is_text_and_cannot_end_the_json_ld(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "hostile.md").write_text(
        "Title: Hostile\nDate: 2025-07-15 09:00\nSlug: hostile\n"
        'Correction: 2025-07-16 10:00 | <div>Unclosed & "quoted" </script>\n\nText.\n', encoding="utf-8")
    result = run_pelican(content, tmp_path / "output")
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "output" / "hostile.html").read_text(encoding="utf-8")
    assert notice(page).count("<p") == notice(page).count("</p>") == 1
    assert ': &lt;div&gt;Unclosed &amp; "quoted" &lt;/script&gt;</p>' in notice(page)
    assert structured_data(page)["correction"][0]["text"] == '<div>Unclosed & "quoted" </script>'


def test_without_corrections_the_page_says_so_and_the_feed_is_empty(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "plain.md").write_text("Title: Plain\nDate: 2025-07-15 09:00\n\nText.\n", encoding="utf-8")
    result = run_pelican(content, tmp_path / "output", settings=ROOT / "publish.conf.py")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = read_page(html(tmp_path / "output", "corrections.html")).lines()
    assert lines[lines.index("Corrections") + 2] == "No corrections so far."
    root = etree.parse(tmp_path / "output" / "corrections.atom.xml").getroot()
    assert root.tag == f"{ATOM}feed" and not root.findall(f"{ATOM}entry")


def test_a_modified_equal_to_the_date_is_no_update(tmp_path):
    # "15 July 2025 · Updated 15 July 2025, 09:00 UTC" announced a change that never happened.
    content = tmp_path / "content"
    content.mkdir()
    (content / "same.md").write_text("Title: Same\nDate: 2025-07-15 09:00\nModified: 2025-07-15 09:00\n"
                                     "Slug: same\n\nText.\n", encoding="utf-8")
    result = run_pelican(content, tmp_path / "output")
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "output" / "same.html").read_text(encoding="utf-8")
    assert not [line for line in read_page(page).lines() if "Updated" in line]
