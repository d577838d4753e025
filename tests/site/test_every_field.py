"""Golden checks of the newsroom content model (issue 14) on the fixture site's article that uses
every field (tests/site/content/every-field.md, its author file and pictures).

Each check compares a part of the built site with a file in tests/site/golden/: the article as a
reader gets it (byline, lead image, text, references, corrections, related reading; the comments
section, whose form token changes every build, left out), its Open Graph tags, its JSON-LD, the
author page and the Corrections page. After an intended change, `UPDATE_GOLDEN=1 make test`
rewrites the files; review the diff before committing it.
"""

import json
import os
import re
from pathlib import Path

import pytest

from plugins.references.tests.html_text import find_run, read_page, seed_article_lines
from tests.conftest import ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"
SLUG = "ferries-return"
COMMENTS = re.compile(r"<!-- comments:start -->.*?<!-- comments:end -->", re.S)
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def between(html: str, start: str, end: str) -> str:
    """The part of `html` from the first `start` to the following `end`, both included."""
    begin = html.index(start)
    return html[begin:html.index(end, begin) + len(end)]


#: A fingerprinted theme file (plugins/assets): its digest changes with every edit of the file.
FINGERPRINT = re.compile(r"\.[0-9a-f]{8}\.(css|js)\b")


def tidy(fragment: str) -> str:
    fragment = FINGERPRINT.sub(r".<hash>.\1", fragment)
    return "\n".join(line.rstrip() for line in fragment.strip().splitlines() if line.strip()) + "\n"


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def structured_data(html: str) -> str:
    [data] = LD_JSON.findall(html)
    return json.dumps(json.loads(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.fixture(scope="module")
def article_html(built_site) -> str:
    return (built_site / f"{SLUG}.html").read_text(encoding="utf-8")


def test_the_article_reads_as_golden(article_html):
    body = between(article_html, '<article class="article', "</main>")
    body = COMMENTS.sub("<!-- comments section -->", body)
    check_golden(f"{SLUG}.article.html", tidy(body))


def test_the_article_open_graph_tags_are_golden(article_html):
    head = between(article_html, "<head>", "</head>")
    tags = [line.strip() for line in head.splitlines()
            if 'property="og:' in line or 'property="article:' in line or 'name="twitter:' in line]
    check_golden(f"{SLUG}.opengraph.html", "\n".join(tags) + "\n")


def test_the_article_structured_data_is_golden(article_html):
    check_golden(f"{SLUG}.jsonld.json", structured_data(article_html))


def test_the_author_page_is_golden(built_site):
    html = (built_site / "author" / "jane-doe.html").read_text(encoding="utf-8")
    check_golden("author-jane-doe.html", tidy(between(html, "<main", "</main>")))
    check_golden("author-jane-doe.jsonld.json", structured_data(html))


def test_the_corrections_page_is_golden(built_site):
    html = (built_site / "corrections.html").read_text(encoding="utf-8")
    check_golden("corrections.html", tidy(between(html, "<main", "</main>")))


def test_the_article_reads_in_newsroom_order(article_html):
    """What a reader meets, in order: title, byline, picture with caption and credit, the text,
    the sources, the corrections, then the comments and the related reading."""
    lines = read_page(article_html).lines()
    expected = [
        "Ferries return to the reopened harbour",
        "19 July 2025 · Updated 19 July 2025, 12:30 UTC · By Jane Doe and John Roe · in Local · "
        "Tagged harbour, transport · 1 min read",
        "The first two ferries back at the harbour wall on Saturday morning. Photo: Jane Doe",
    ]
    assert find_run(expected, lines) >= 0, lines
    order = ["References:", "[1] Timetable from 19 July. Coastline Ferries, 18 July 2025. "
             "ferries.example.com/news/…/timetable-from-19-july",
             "[2] https://port.example.org/notices/2025-07-18",
             "Correction, 19 July 2025, 10:00 UTC: An earlier version said four ferries sailed; two did.",
             "Correction, 19 July 2025, 11:15 UTC: The operator is Coastline Ferries, not Coastal Ferries.",
             "Comments", "No comments yet"]
    assert find_run(order, lines) >= 0, lines
    assert lines.index("More in Local") > lines.index("No comments yet")


def test_the_seed_article_still_reads_like_the_seed_beside_every_field(built_site):
    seed_text = (ROOT / "plugins" / "references" / "tests" / "seed.txt").read_text(encoding="utf-8")
    seed = seed_article_lines(seed_text)
    page = next(built_site.glob("wsj-*.html")).read_text(encoding="utf-8")
    lines = read_page(page).lines()
    assert find_run(seed[1:] + ["Comments", "No comments yet"], lines) > lines.index(seed[0])
