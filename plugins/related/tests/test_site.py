"""The plugin in a real build of tests/content: golden lists, exclusions, empty case, bylines.

The site (dates in July 2025): World world-1…6, Politics politics-1…3, Science science-1 alone
and untagged; tags ports, storms, ferries, budget overlap as in each file. draft, hidden and future
(dated 2999) are World articles tagged like world-5 that no list may show.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from plugins.references.tests.html_text import read_page
from tests.site.conftest import run_pelican

CONTENT = Path(__file__).resolve().parent / "content"
NEVER_LISTED = {"draft", "hidden", "future"}


class Asides(HTMLParser):
    """Every <aside>: its aria-labelledby, its heading's text and its links' (slug, datetime)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.asides: list[dict] = []
        self.heading_ids: set[str] = set()
        self._in_aside = self._in_heading = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2":
            self.heading_ids.add(attrs.get("id"))
        if tag == "aside":
            self.asides.append({"labelledby": attrs.get("aria-labelledby"), "heading": "", "links": []})
            self._in_aside = True
        elif self._in_aside and tag == "h2":
            self._in_heading = True
        elif self._in_aside and tag == "a":
            self.asides[-1]["links"].append([attrs["href"].rsplit("/", 1)[-1].removesuffix(".html"), None])
        elif self._in_aside and tag == "time" and self.asides[-1]["links"]:
            self.asides[-1]["links"][-1][1] = attrs["datetime"][:10]

    def handle_endtag(self, tag):
        self._in_heading = self._in_heading and tag != "h2"
        self._in_aside = self._in_aside and tag != "aside"

    def handle_data(self, data):
        if self._in_heading:
            self.asides[-1]["heading"] += data


def asides(output: Path, page: str) -> dict[str, list[str]]:
    """{heading: [slug, …]} of the page's asides, checking each is labelled by its own heading."""
    parser = Asides()
    parser.feed((output / page).read_text(encoding="utf-8"))
    for aside in parser.asides:
        assert aside["labelledby"] in parser.heading_ids
        assert all(date and date.startswith("2025-07-") for _, date in aside["links"])
    return {aside["heading"]: [slug for slug, _ in aside["links"]] for aside in parser.asides}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("related-site")
    result = run_pelican(CONTENT, output)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.mark.parametrize(("page", "expected"), [
    ("world-1.html", {"More in World": ["world-6", "world-5", "world-4", "world-3"],
                      "Related": ["politics-1", "politics-3", "world-2"]}),
    ("world-5.html", {"More in World": ["world-6", "world-4", "world-3", "world-2"],
                      "Related": ["politics-3", "politics-1", "world-1"]}),
    ("politics-3.html", {"More in Politics": ["politics-2", "politics-1"],
                         "Related": ["world-5", "world-3", "world-6", "world-1"]}),
    ("politics-2.html", {"More in Politics": ["politics-3", "politics-1"]}),
    ("hidden.html", {"More in World": ["world-6", "world-5", "world-4", "world-3"],
                     "Related": ["politics-3", "politics-1", "world-1", "world-2"]}),
])
def test_golden_lists(site, page, expected):
    assert asides(site, page) == expected


def test_an_article_with_nothing_related_renders_nothing(site):
    html = (site / "science-1.html").read_text(encoding="utf-8")
    assert "<aside" not in html
    lines = read_page(html).lines()
    assert "Related" not in lines and not any(line.startswith("More in") for line in lines)


def test_drafts_hidden_and_future_articles_are_never_listed(site):
    pages = [path for path in site.rglob("*.html")]
    assert len(pages) > 10
    for path in pages:
        for slugs in asides(site, str(path.relative_to(site))).values():
            assert not NEVER_LISTED & set(slugs), path


def test_the_lists_come_after_the_comments(site):
    lines = read_page((site / "world-1.html").read_text(encoding="utf-8")).lines()
    assert lines.index("More in World") > lines.index("Comments")
    assert lines[lines.index("More in World") + 1] == "World 6 6 July 2025"


def test_reading_time_in_the_byline_and_on_the_index(site):
    def bylines(page):
        reader = read_page((site / page).read_text(encoding="utf-8"))
        return [line for line in reader.lines() if line.startswith(("1 July", "4 July", "8 July"))]

    assert bylines("world-4.html") == ["4 July 2025 · By Newsroom · in World · 3 min read"]
    assert bylines("world-1.html") == [
        "1 July 2025 · By Newsroom · in World · Tagged ports, storms · 1 min read"]
    # The cards of list pages: "By <author> · <date and time> · <reading time>" (plugins/frontpage).
    index = read_page((site / "index.html").read_text(encoding="utf-8")).lines()
    assert "By Newsroom · 8 July 2025, 08:00 UTC · 1 min read" in index
