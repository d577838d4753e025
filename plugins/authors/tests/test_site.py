"""The site built from tests/content with publish.conf.py (absolute SITEURL): bylines, author
pages, the authors list and JSON-LD, checked against golden values.

Content: Jane Doe (jane-doe.md: role, photo, two links) and John Roe (jroe.md, matched by Name)
sign harbour-both.md together; council-none.md names nobody (the site's AUTHOR signs it);
clinic-one.md is Jane's alone; hostile.md is by "Lee", whose file lee.md (matched by file name)
has quotes, ampersands and tags in every field; three.md has John, Lee and Zed Nobody, who has no
author file (not an error: a byline and a plain author page).
"""

import json
import re
import runpy
from pathlib import Path

import pytest

from plugins.references.tests.html_text import read_page
from tests.conftest import ROOT
from tests.site.conftest import run_pelican

CONTENT = Path(__file__).resolve().parent / "content"
SITEURL = runpy.run_path(str(ROOT / "publish.conf.py"))["SITEURL"]
JANE = {"@type": "Person", "description": "Jane covers hospitals and public health. She joined the Newsroom in 2019.",
        "image": f"{SITEURL}/authors/jane-doe.png", "jobTitle": "Health reporter", "name": "Jane Doe",
        "sameAs": ["https://social.example/@jane", "https://www.jane.example.org/"],
        "url": f"{SITEURL}/author/jane-doe.html"}
JOHN = {"@type": "Person", "description": "John edits the city desk.", "name": "John Roe",
        "sameAs": ["https://john.example.net/", "https://social.example/@roe"], "url": f"{SITEURL}/author/john-roe.html"}

#: lee.md's Name: the editor's HTML, shown as it is.
LEE = 'Ann "Q" & <em>Lee</em>'


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("authors-site") / "output"
    result = run_pelican(CONTENT, output, settings=ROOT / "publish.conf.py")
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def html(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def byline(page: str) -> str:
    [found] = re.findall(r'<p class="byline">.*?</p>', page, flags=re.S)
    return " ".join(found.split())


def structured_data(page: str) -> dict:
    [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, flags=re.S)
    return json.loads(data)


def author_link(slug: str, name: str) -> str:
    return f'<a class="p-author h-card" href="{SITEURL}/author/{slug}.html">{name}</a>'


def test_an_article_by_two_authors_has_both_in_its_byline(site):
    assert byline(html(site, "harbour-reopens.html")) == (
        '<p class="byline"> <time class="dt-published" datetime="2025-07-16T08:00:00+00:00">16 July 2025</time>'
        f' · By {author_link("jane-doe", "Jane Doe")} and {author_link("john-roe", "John Roe")}'
        f' · in <a class="p-category" href="{SITEURL}/category/news.html">News</a> · 1 min read </p>')


def test_an_article_without_authors_is_signed_by_the_site_and_only_then(site):
    assert f' · By {author_link("newsroom", "Newsroom")} · in ' in byline(html(site, "council-meets.html"))
    reader = read_page(html(site, "authors.html"))
    assert "Newsroom (1)" in reader.lines()
    assert "Newsroom" not in html(site, "harbour-reopens.html").split('<p class="byline">')[1].split("</p>")[0]
    assert [link["href"] for link in reader.with_attr("class", "p-name")] == [
        f"{SITEURL}/author/{slug}.html" for slug in ("jane-doe", "john-roe", "lee", "newsroom", "zed-nobody")]


def test_three_authors_read_a_b_and_c(site):
    assert (f' · By {author_link("john-roe", "John Roe")}, {author_link("lee", LEE)}'
            f' and {author_link("zed-nobody", "Zed Nobody")} · in ') in byline(html(site, "ferry-timetable.html"))
    assert [person["name"] for person in structured_data(html(site, "ferry-timetable.html"))["author"]] == [
        "John Roe", 'Ann "Q" & Lee', "Zed Nobody"]


def test_index_summaries_carry_the_same_author_links(site):
    """A card's byline is shorter than the article's (plugins/frontpage), with the same authors."""
    summaries = html(site, "index.html").split('<article class="summary h-entry">')[1:]
    harbour = next(summary for summary in summaries if "Harbour reopens" in summary)
    authors = re.compile(r'<a class="p-author h-card" [^>]*>.*?</a>')
    assert authors.findall(byline(harbour)) == authors.findall(byline(html(site, "harbour-reopens.html")))
    assert len(authors.findall(byline(harbour))) == 2


def test_article_json_ld_lists_every_author_as_a_person(site):
    assert structured_data(html(site, "harbour-reopens.html"))["author"] == [JANE, JOHN]
    assert structured_data(html(site, "council-meets.html"))["author"] == [
        {"@type": "Person", "name": "Newsroom", "url": f"{SITEURL}/author/newsroom.html"}]


def test_author_page_shows_photo_role_bio_links_and_articles(site):
    page = html(site, "author/jane-doe.html")
    reader = read_page(page)
    [photo] = reader.with_attr("class", "author-photo")
    assert photo == {"class": "author-photo u-photo", "src": f"{SITEURL}/authors/jane-doe.png",
                     "width": "60", "height": "80", "alt": "Photo of Jane Doe"}
    assert (site / "authors" / "jane-doe.png").read_bytes() == (CONTENT / "authors" / "jane-doe.png").read_bytes()
    lines = reader.lines()
    start = lines.index("Jane Doe")
    assert lines[start:start + 5] == [
        "Jane Doe", "Health reporter", "Jane covers hospitals and public health. She joined the Newsroom in 2019.",
        "social.example/@jane", "jane.example.org"]
    assert '<em>Newsroom</em>' in page
    assert [(link["href"], link["rel"]) for link in reader.with_attr("rel", "me")] == [
        ("https://social.example/@jane", "me"), ("https://www.jane.example.org/", "me")]
    assert [link["href"] for link in reader.with_attr("rel", "bookmark")] == [
        f"{SITEURL}/harbour-reopens.html", f"{SITEURL}/clinic-opens.html"]
    assert "Jane Doe — Newsroom" in lines
    assert ['Jane covers hospitals and public health. She joined the Newsroom in 2019.'] == [
        attrs["content"] for tag, attrs in reader.elements if tag == "meta" and attrs.get("name") == "description"]


def test_author_page_json_ld_is_a_profile_page(site):
    assert structured_data(html(site, "author/jane-doe.html")) == {
        "@context": "https://schema.org", "@type": "ProfilePage", "url": f"{SITEURL}/author/jane-doe.html",
        "mainEntity": JANE}


@pytest.mark.parametrize("slug, name", [("newsroom", "Newsroom"), ("zed-nobody", "Zed Nobody")])
def test_author_without_a_file_gets_a_plain_listing(site, slug, name):
    page = html(site, f"author/{slug}.html")
    reader = read_page(page)
    assert f"Articles by {name}" in reader.lines()
    assert not reader.with_attr("class", "author-profile")
    assert structured_data(page)["mainEntity"] == {
        "@type": "Person", "name": name, "url": f"{SITEURL}/author/{slug}.html"}


def test_authors_list_shows_photo_and_role(site):
    reader = read_page(html(site, "authors.html"))
    [thumb] = reader.with_attr("class", "author-thumb")
    assert (thumb["width"], thumb["height"], thumb["alt"]) == ("60", "80", "")
    assert "Jane Doe Health reporter (2)" in reader.lines()
    assert "John Roe (2)" in reader.lines()
    assert "Zed Nobody (1)" in reader.lines()


def test_author_files_are_not_articles_or_pages(site):
    assert sorted(path.name for path in site.glob("*.html") if path.name not in (
        "index.html", "archives.html", "authors.html", "categories.html", "tags.html",
        "corrections.html", "404.html", "search.html")) == [
        "clinic-opens.html", "council-meets.html", "ferry-timetable.html", "harbour-reopens.html",
        "hostile-names.html"]
    assert not list(site.glob("**/jroe*")) and not (site / "pages").exists()


def test_hostile_fields_are_escaped_in_attributes_and_json(site):
    """HTML in Name and Role is the editor's: shown as HTML, plain text in attributes and JSON."""
    page = html(site, "hostile-names.html")
    assert author_link("lee", LEE) in byline(page)
    [person] = structured_data(page)["author"]
    assert person == {"@type": "Person", "name": 'Ann "Q" & Lee', "url": f"{SITEURL}/author/lee.html",
                      "jobTitle": 'Editor & "chief"', "description": 'Writes about </script> tags & "quotes".',
                      "sameAs": ['https://lee.example/?q="x"&y=1']}
    profile_page = html(site, "author/lee.html")
    assert profile_page.count("</script>") == profile_page.count("<script")
    reader = read_page(profile_page)
    assert [link["href"] for link in reader.with_attr("rel", "me")] == ['https://lee.example/?q="x"&y=1']
    assert reader.with_attr("class", "author-profile")[0]["aria-label"] == 'About Ann "Q" & Lee'
    assert structured_data(profile_page)["mainEntity"] == person
