"""Unit tests of the Python-Markdown references extension."""

import xml.etree.ElementTree as etree
from contextlib import nullcontext

import markdown
import pytest

from plugins.references.extension import CitationError, plain_body, source_file

from .html_text import read_page

EXTENSIONS = ["markdown.extensions.extra", "markdown.extensions.meta", "plugins.references.extension"]


def render(text: str) -> str:
    return markdown.Markdown(extensions=EXTENSIONS, output_format="html5").convert(text)


def tree(html: str) -> etree.Element:
    return etree.fromstring(f"<root>{html}</root>")


def markers(root: etree.Element) -> list[etree.Element]:
    return [sup.find("a") for sup in root.iter("sup") if sup.get("class") == "ref"]


def entries(root: etree.Element) -> list[etree.Element]:
    return root.findall("./section[@class='references']/ol[@class='reference-list']/li")


def backlink_targets(entry: etree.Element) -> list[str]:
    return [a.get("href") for a in entry.iter("a") if a.get("role") == "doc-backlink"]


SEED_LIKE = """Title: Seed
Slug: seed

Allies buy weapons [1].

[^1]: https://www.politico.com/x-00452001
""".replace("[1]", "[^1]")


def test_marker_markup_is_exact():
    html = render(SEED_LIKE)
    assert ('Allies buy weapons <sup class="ref"><a href="#seed-ref-1" id="seed-cite-1-1" '
            'role="doc-noteref">[1]</a></sup>.') in html


def test_references_section_reads_like_the_seed():
    html = render(SEED_LIKE)
    section = tree(html).find("section")
    assert section.attrib == {"class": "references", "role": "doc-endnotes",
                              "aria-labelledby": "seed-references-title"}
    assert section.find("h2").attrib == {"id": "seed-references-title"}
    (entry,) = entries(tree(html))
    assert entry.get("id") == "seed-ref-1"
    assert entry.find("span").attrib == {"class": "ref-label"}
    url = "https://www.politico.com/x-00452001"
    assert entry.find("a").attrib == {"href": url}
    assert read_page(html).lines()[-2:] == ["References:", f"[1] {url}"]


def test_numbering_follows_first_citation_not_definition_order():
    html = render("Title: T\n\nB [^b], A [^a], B again [^b], C [^c].\n\n"
                  "[^a]: Alpha\n[^b]: Beta\n[^c]: Gamma\n")
    root = tree(html)
    assert [a.text for a in markers(root)] == ["[1]", "[2]", "[1]", "[3]"]
    assert ["".join(li.itertext()).strip() for li in entries(root)] == [
        "[1] Beta", "[2] Alpha", "[3] Gamma"]


def test_every_citation_has_its_own_backlink():
    html = render("Title: T\n\nOne [^k], two [^k], three [^k].\n\n[^k]: Source\n")
    root = tree(html)
    assert [a.get("id") for a in markers(root)] == ["t-cite-1-1", "t-cite-1-2", "t-cite-1-3"]
    (entry,) = entries(root)
    assert backlink_targets(entry) == ["#t-cite-1-1", "#t-cite-1-2", "#t-cite-1-3"]
    backlinks = [a for a in entry.iter("a") if a.get("role") == "doc-backlink"]
    assert all(a.text is None and a.get("class") == "backlink" for a in backlinks)
    assert backlinks[1].get("aria-label") == "Back to citation 2 of reference 1"


def test_named_keys_render_as_numbers():
    html = render("Title: T\n\nSee [^reuters-2025] and [^ap].\n\n[^ap]: AP\n[^reuters-2025]: Reuters\n")
    assert "reuters" not in "".join(a.get("href") + a.get("id") for a in markers(tree(html)))
    assert [a.text for a in markers(tree(html))] == ["[1]", "[2]"]


def test_urls_already_linked_or_in_code_stay_as_they_are():
    html = render("Title: T\n\nX [^1].\n\n[^1]: [site](https://a.example/) `https://b.example/`\n")
    (entry,) = entries(tree(html))
    assert [a.get("href") for a in entry.iter("a") if a.get("role") is None] == ["https://a.example/"]
    assert entry.find("code").text == "https://b.example/"


def test_bare_urls_in_the_body_are_left_alone():
    html = render("Title: T\n\nhttps://body.example/ X [^1].\n\n[^1]: S\n")
    assert 'href="https://body.example/"' not in html


def test_marker_in_code_is_not_a_citation():
    html = render("Title: T\n\nText [^1] and `[^1]`.\n\n[^1]: S\n")
    assert len(markers(tree(html))) == 1
    assert "<code>[^1]</code>" in html


def test_multi_paragraph_definition_keeps_its_paragraphs():
    html = render("Title: T\n\nX [^1].\n\n[^1]: First part.\n\n    Second part.\n")
    (entry,) = entries(tree(html))
    first, second = entry.findall("p")
    assert "".join(first.itertext()) == "[1] First part."
    assert second.find("span").get("class") == "backlinks"


@pytest.mark.parametrize(("meta", "source", "namespace"), [
    ("Title: Big News Today\nSlug: custom-slug\n", None, "custom-slug"),
    ("Title: Big News: Today!\n", None, "big-news-today"),
    ("", "content/from-file.md", "from-file"),
    ("", None, "article"),
])
def test_namespace_is_the_slug_then_title_then_file_stem(meta, source, namespace):
    text = f"{meta}\nX [^1].\n\n[^1]: S\n" if meta else "X [^1].\n\n[^1]: S\n"
    with source_file(source) if source else nullcontext():
        html = render(text)
    assert markers(tree(html))[0].get("href") == f"#{namespace}-ref-1"


# Shared with the built-site tests (tests/site/test_references.py), hence the Date header.
ERRORS = [
    pytest.param("Title: T\nDate: 2025-01-01\n\nOk [^a].\n\nMissing [^b].\n\n[^a]: A\n",
                 6, "[^b] is cited but never defined", id="undefined"),
    pytest.param("Title: T\nDate: 2025-01-01\n\nOk [^a].\n\n[^a]: A\n[^unused]: U\n",
                 7, "[^unused] is defined but never cited", id="unused"),
    pytest.param("Title: T\nDate: 2025-01-01\n\nOk [^a].\n\n[^a]: A\n\nText.\n\n[^a]: Again\n",
                 10, "duplicate definition of [^a]", id="duplicate"),
]


@pytest.mark.parametrize(("text", "line", "problem"), ERRORS)
def test_errors_name_file_and_line(text, line, problem):
    with source_file("content/story.md"), pytest.raises(CitationError) as raised:
        render(text)
    assert str(raised.value) == f"content/story.md:{line}: {problem}"
    assert (raised.value.line, raised.value.problem) == (line, problem)


def test_error_without_a_known_file():
    with pytest.raises(CitationError, match=r"^<markdown>:3: \[\^x\] is cited"):
        render("Title: T\n\nX [^x].\n")


def test_reset_allows_reuse_for_another_document():
    md = markdown.Markdown(extensions=EXTENSIONS)
    md.convert("Title: A\n\nX [^1].\n\n[^1]: S\n")
    md.reset()
    assert 'href="#b-ref-1"' in md.convert("Title: B\n\nY [^2].\n\n[^2]: T\n")


def test_document_without_references_is_unchanged():
    assert render("Title: T\n\nPlain text.\n") == "<p>Plain text.</p>"


def test_plain_body_drops_markers_and_section():
    html = render(SEED_LIKE)
    assert plain_body(html) == "<p>Allies buy weapons.</p>"
    plain = "<p>No references.</p>"
    assert plain_body(plain) is plain
