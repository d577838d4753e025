"""Built-output tests of numbered references on the fixture site (real pelican.conf.py)."""

import xml.etree.ElementTree as etree
from pathlib import Path

import pytest
from sqlalchemy import update

from comments_service.core.comment import APPROVED
from comments_service.core.storage import comments as stored
from comments_service.core.storage import database, tables
from plugins.build_errors.tests.make_html import last_line, make_html
from plugins.references.tests.html_text import find_run, read_page, seed_article_lines
from plugins.references.tests.test_extension import ERRORS
from tests.conftest import ROOT
from tests.e2e.threads import SOURCES
from tests.site.conftest import FIXTURE_CONTENT, run_pelican

SEED = ROOT / "plugins" / "references" / "tests" / "seed.txt"
SEED_SLUG = "wsj-trump-administration-reorganizes-delivery-of-patriot-systems-to-allies-prioritizing-ukraine"
ARTICLE_SLUGS = [SEED_SLUG, "harbour-reopens", "council-budget", "checking-sources", "ferries-return"]
RESIDUE = ('class="ref"', "doc-endnotes", "References:", "↩", "&#8617;")


def page(site: Path, name: str):
    return read_page((site / name).read_text(encoding="utf-8"))


def citation_links(reader) -> list[dict[str, str]]:
    return reader.with_attr("role", "doc-noteref")


def reference_entries(reader, slug: str) -> list[dict[str, str]]:
    return [attrs for tag, attrs in reader.elements
            if tag == "li" and attrs.get("id", "").startswith(f"{slug}-ref-")]


def backlinks_to(reader, slug: str, number: int) -> list[str]:
    prefix = f"#{slug}-cite-{number}-"
    return [attrs["href"] for attrs in reader.with_attr("role", "doc-backlink")
            if attrs["href"].startswith(prefix)]


def test_seed_article_reads_like_the_seed(built_site):
    lines = page(built_site, f"{SEED_SLUG}.html").lines()
    seed = seed_article_lines(SEED.read_text(encoding="utf-8"))
    assert seed[0] in lines
    assert find_run(seed[1:], lines) > lines.index(seed[0]), "\n".join(lines)


def test_seed_cites_one_source_seven_times(built_site):
    reader = page(built_site, f"{SEED_SLUG}.html")
    links = citation_links(reader)
    assert [link["href"] for link in links] == [f"#{SEED_SLUG}-ref-1"] * 7
    assert [link["id"] for link in links] == [f"{SEED_SLUG}-cite-1-{k}" for k in range(1, 8)]
    assert len(reference_entries(reader, SEED_SLUG)) == 1
    assert backlinks_to(reader, SEED_SLUG, 1) == [f"#{link['id']}" for link in links]


def test_named_key_cited_several_times_is_listed_once(built_site):
    reader = page(built_site, "harbour-reopens.html")
    assert [link["href"] for link in citation_links(reader)] == ["#harbour-reopens-ref-1"] * 3
    assert len(reference_entries(reader, "harbour-reopens")) == 1
    assert len(backlinks_to(reader, "harbour-reopens", 1)) == 3
    # A named source: its title cited, the link reading as the address without its scheme.
    assert "[1] Port authority statement, port.example.org/notices/2025-07-15." in reader.lines()
    assert reader.with_attr("href", "https://port.example.org/notices/2025-07-15")
    assert [tag for tag, _ in reader.elements].count("cite") == 1


def test_references_are_numbered_by_first_citation(built_site):
    reader = page(built_site, "council-budget.html")
    assert [link["href"].rsplit("-", 1)[1] for link in citation_links(reader)] == ["1", "2", "1"]
    lines = reader.lines()
    first = lines.index("[1] Council minutes: council.example.org/minutes/2025-07")
    assert lines[first + 1] == ('[2] "A missed chance." Council Opposition Group, 15 July 2025. '
                                "opposition.example.org/budget.")


def test_a_named_source_marks_up_title_publisher_and_date(built_site):
    html = (built_site / "council-budget.html").read_text(encoding="utf-8")
    assert ('"<cite>A missed chance</cite>." <span class="ref-publisher">Council Opposition Group</span>, '
            '<time datetime="2025-07-15">15 July 2025</time>. '
            '<a href="https://www.opposition.example.org/budget">opposition.example.org/budget</a>.') in html


def test_a_source_cited_three_times_has_lettered_backlinks(built_site):
    reader = page(built_site, "harbour-reopens.html")
    backlinks = reader.with_attr("role", "doc-backlink")
    assert [(link["data-letter"], link["aria-label"]) for link in backlinks] == [
        (letter, f"Back to citation {k} of 3 of reference 1") for k, letter in enumerate("abc", start=1)]


def test_code_is_highlighted_and_a_marker_in_code_stays_code(built_site):
    html = (built_site / "checking-sources.html").read_text(encoding="utf-8")
    reader = read_page(html)
    assert reader.with_attr("class", "highlight")
    assert any(attrs.get("class") == "k" for tag, attrs in reader.elements if tag == "span")  # Pygments
    assert len(citation_links(reader)) == 1
    assert "<code>[^x]</code>" in html


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_ids_are_unique_on_every_page(built_site):
    for path in html_pages(built_site):
        ids = page(built_site, path.relative_to(built_site)).ids()
        duplicates = {value for value in ids if ids.count(value) > 1}
        assert not duplicates, f"{path.name}: {duplicates}"


def test_reference_links_resolve_on_every_page(built_site):
    for path in html_pages(built_site):
        reader = page(built_site, path.relative_to(built_site))
        ids = set(reader.ids())
        fragments = {attrs["href"][1:] for _, attrs in reader.elements
                     if attrs.get("href", "").startswith("#") and len(attrs["href"]) > 1}
        assert fragments <= ids, f"{path.name}: {fragments - ids}"


def test_index_summaries_carry_no_footnote_residue(built_site):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    for residue in RESIDUE:
        assert residue not in html
    summary = "The harbour reopened on Tuesday, officials said."  # marker and its space gone
    assert any(summary in line for line in read_page(html).lines())


@pytest.mark.parametrize("slug", ARTICLE_SLUGS)
def test_meta_description_carries_no_footnote_residue(built_site, slug):
    reader = page(built_site, f"{slug}.html")
    descriptions = [attrs["content"] for tag, attrs in reader.elements
                    if tag == "meta" and attrs.get("name") == "description"]
    assert len(descriptions) == 1
    assert descriptions[0].strip()
    for residue in ("[1]", "References", "↩", "<sup"):
        assert residue not in descriptions[0]


def test_feed_summaries_carry_no_footnote_residue(tmp_path):
    result = run_pelican(FIXTURE_CONTENT, tmp_path, settings=ROOT / "publish.conf.py")
    assert result.returncode == 0, result.stdout + result.stderr
    atom = "{http://www.w3.org/2005/Atom}"
    entries = etree.parse(tmp_path / "feeds" / "all.atom.xml").getroot().findall(f"{atom}entry")
    assert len(entries) == len(ARTICLE_SLUGS)
    for entry in entries:
        summary = entry.find(f"{atom}summary").text
        for residue in RESIDUE:
            assert residue not in summary


@pytest.mark.parametrize(("text", "line", "problem"), ERRORS)
def test_reference_errors_fail_make_html_with_file_and_line_last(tmp_path, text, line, problem):
    good = (FIXTURE_CONTENT / "out-of-order.md").read_text(encoding="utf-8")
    result = make_html(tmp_path, {"bad.md": text, "good.md": good})
    assert result.returncode != 0 and "Traceback" not in result.stdout
    assert last_line(result) == f"content/bad.md:{line}: {problem}"


def test_each_source_offers_the_comment_form_and_paragraphs_have_anchors(built_site):
    """With the comments plugin (issue 13): a link to the form beside each source, text-less
    while nobody has commented on it (the entry reads as before, above), and an id on every
    paragraph for comments "on paragraph k"."""
    reader = page(built_site, "council-budget.html")
    links = reader.with_attr("class", "ref-comments")
    assert [(link["href"], link["data-ref"], link["aria-label"]) for link in links] == [
        ("#comment-form", "1", "Comment on source [1]"), ("#comment-form", "2", "Comment on source [2]")]
    paragraphs = [attrs["id"] for tag, attrs in reader.elements if tag == "p" and "-p-" in attrs.get("id", "")]
    assert paragraphs == ["council-budget-p-1"]  # its one paragraph; not the entries


@pytest.mark.skipif(not SOURCES, reason="needs `reference_counts` in the section context (server-threads)")
def test_comments_about_a_source_are_counted_beside_it(build, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    engine = database.engine_from_url(url)
    database.upgrade_schema(engine)
    with database.connect(engine, write=True) as conn:
        for about in (2, 2, None):
            row = stored.create_comment(conn, slug="council-budget", parent=None, author="Ann", email=None,
                                        website=None, text="About it.", html="<p>About it.</p>",
                                        ip_hash=None, state=APPROVED)
            conn.execute(update(tables.comments).where(tables.comments.c.id == row.id)
                         .values(about_reference=about))
        conn.commit()
    engine.dispose()
    monkeypatch.setenv("COMMENTS_DATABASE_URL", url)
    source = (FIXTURE_CONTENT / "out-of-order.md").read_text(encoding="utf-8")
    result, output = build({"out-of-order.md": source})
    assert result.returncode == 0, result.stdout + result.stderr
    reader = page(output, "council-budget.html")
    entries = [line for line in reader.lines() if line.startswith(("[1] ", "[2] "))]
    assert not entries[0].endswith("comments") and entries[1].endswith("/budget. 2 comments"), entries
