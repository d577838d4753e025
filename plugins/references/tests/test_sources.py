"""Named references (`sources.py`): the grammar of README.md, rendered, and what it leaves alone."""

import re
from pathlib import Path

import pytest

from plugins.references.sources import OBJECT, Span, parse

from .html_text import read_page
from .rendering import entries, render, tree

URL = "https://www.port.example.org/notices/2025-07-15?utm=x#top"
LINK = '<a href="https://www.port.example.org/notices/2025-07-15?utm=x#top">port.example.org/notices/2025-07-15</a>'


def entry(definition: str) -> str:
    """The HTML of the entry of `definition` (cited once), between its label and back-links."""
    html = render(f"Title: T\n\nX [^s].\n\n[^s]: {definition}\n")
    start = html.index('<span class="ref-label">[1]</span> ') + len('<span class="ref-label">[1]</span> ')
    return html[start:html.index(' <span class="backlinks">')]


@pytest.mark.parametrize(("definition", "golden"), [
    pytest.param(f"Harbour reopens. Port Authority, 2025-07-15. {URL}",
                 '<cite>Harbour reopens</cite>. <span class="ref-publisher">Port Authority</span>, '
                 f'<time datetime="2025-07-15">2025-07-15</time>. {LINK}', id="title-publisher-date-url"),
    pytest.param(f"Harbour reopens. {URL}", f"<cite>Harbour reopens</cite>. {LINK}", id="title-url"),
    pytest.param(f"Port Authority, 15 July 2025. {URL}.",
                 '<span class="ref-publisher">Port Authority</span>, '
                 f'<time datetime="2025-07-15">15 July 2025</time>. {LINK}.', id="publisher-date-url"),
    pytest.param(f"Harbour reopens. Port Authority. {URL}",
                 f'<cite>Harbour reopens</cite>. <span class="ref-publisher">Port Authority</span>. {LINK}',
                 id="title-publisher-url"),
    pytest.param(f"Harbour reopens, Port Authority (July 15, 2025). {URL}",
                 '<cite>Harbour reopens</cite>, <span class="ref-publisher">Port Authority</span> '
                 f'(<time datetime="2025-07-15">July 15, 2025</time>). {LINK}', id="title-comma-publisher-parenthesised-date"),
    pytest.param(f'"U.S. port reopens. Ferries resume." Reuters, Jul 2025. {URL}',
                 '"<cite>U.S. port reopens. Ferries resume</cite>." <span class="ref-publisher">Reuters</span>, '
                 f'<time datetime="2025-07">Jul 2025</time>. {LINK}', id="quoted-title"),
    pytest.param("“Harbour reopens”, Port Authority, 2025.",
                 '“<cite>Harbour reopens</cite>”, <span class="ref-publisher">Port Authority</span>, '
                 '<time datetime="2025">2025</time>.', id="curly-quotes-no-url"),
    pytest.param("Interview with the harbour master. Port Authority, 15 July 2025.",
                 '<cite>Interview with the harbour master</cite>. <span class="ref-publisher">Port Authority</span>, '
                 '<time datetime="2025-07-15">15 July 2025</time>.', id="no-url"),
    pytest.param(f"Harbour reopens. Port Authority. 2025. {URL}",
                 '<cite>Harbour reopens</cite>. <span class="ref-publisher">Port Authority</span>. '
                 f'<time datetime="2025">2025</time>. {LINK}', id="title-publisher-date-as-parts"),
    pytest.param(f"Port statement, {URL}.", f"<cite>Port statement</cite>, {LINK}.", id="title-comma-url"),
    pytest.param("Council minutes: <https://council.example.org/minutes/2025-07>",
                 '<cite>Council minutes</cite>: <a href="https://council.example.org/minutes/2025-07">'
                 "council.example.org/minutes/2025-07</a>", id="autolink"),
    pytest.param(f"Is the port safe? Coastguard, 2025. {URL}",
                 '<cite>Is the port safe?</cite> <span class="ref-publisher">Coastguard</span>, '
                 f'<time datetime="2025">2025</time>. {LINK}', id="question-mark-title"),
])
def test_named_forms_render_title_publisher_date_and_a_short_link(definition, golden):
    assert entry(definition) == golden


def test_markdown_inside_the_parts_keeps_working():
    html = entry(f"*The* harbour, `v2`. [Port Authority](https://port.example.org/), 2025-07-15. {URL}")
    assert html == ('<cite><em>The</em> harbour, <code>v2</code></cite>. <span class="ref-publisher">'
                    '<a href="https://port.example.org/">Port Authority</a></span>, '
                    f'<time datetime="2025-07-15">2025-07-15</time>. {LINK}')


def test_a_named_entry_reads_as_written_but_for_the_address():
    html = render(f"Title: T\n\nX [^s] and [^s].\n\n[^s]: Harbour reopens. Port Authority, 15 July 2025. {URL}\n")
    assert read_page(html).lines()[-1] == ("[1] Harbour reopens. Port Authority, 15 July 2025. "
                                           "port.example.org/notices/2025-07-15")


@pytest.mark.parametrize("definition", [
    pytest.param("https://www.politico.com/newsletters/2025/07/14/deal-00452001", id="bare-url"),
    pytest.param("https://www.politico.com/x.", id="bare-url-and-period"),
    pytest.param("<https://www.politico.com/x>", id="bare-autolink"),
    pytest.param("Alpha", id="no-url-no-date"),
    pytest.param("See https://a.example/ and https://b.example/", id="two-urls"),
    pytest.param("Statement https://a.example/", id="no-separator-before-url"),
    pytest.param("Statement. https://a.example/ (paywalled)", id="text-after-url"),
    pytest.param("One. Two. Three. Four. https://a.example/", id="too-many-parts"),
    pytest.param("Title. Publisher. Not a date. https://a.example/", id="third-part-not-a-date"),
    pytest.param("Title. A publisher name far too long to be one, in many words. https://a.example/",
                 id="publisher-too-long"),
    pytest.param('"Unclosed title. Reuters. https://a.example/', id="unclosed-quote"),
    pytest.param("Title. Port, 2025-02-30. https://a.example/", id="impossible-date"),
    pytest.param("[Report](https://a.example/). Port Authority.", id="no-url-no-date-with-link"),
    pytest.param(". https://a.example/", id="empty-title"),
    pytest.param("Title \ufffc. Port, 2025. https://a.example/", id="object-replacement-character"),
])
def test_what_the_grammar_does_not_describe_renders_as_free_text(definition):
    html = entry(definition)
    assert "<cite>" not in html and "<time" not in html and "ref-publisher" not in html


def test_free_text_still_links_its_urls_in_full():
    assert entry("See https://a.example/x and https://b.example/y.") == (
        'See <a href="https://a.example/x">https://a.example/x</a> and '
        '<a href="https://b.example/y">https://b.example/y</a>.')


def test_a_bare_url_keeps_reading_as_the_full_url():
    url = "https://www.politico.com/newsletters/national-security-daily/2025/07/14/making-sense-00452001"
    assert entry(url) == f'<a href="{url}">{url}</a>'


def test_a_number_inside_a_name_is_not_a_date():
    assert entry("Top stories of 2025. https://a.example/") == (
        '<cite>Top stories of 2025</cite>. <a href="https://a.example/">a.example</a>')
    assert entry("Flight 0000 report. https://a.example/").startswith("<cite>Flight 0000 report</cite>")


def test_initials_and_abbreviations_do_not_end_a_part():
    assert entry("U.S. Navy says J. Smith Inc. won. Reuters, 2025. https://a.example/").startswith(
        "<cite>U.S. Navy says J. Smith Inc. won</cite>. ")


def test_an_entry_of_several_blocks_is_free_text():
    html = render("Title: T\n\nX [^s].\n\n[^s]: Title. Port, 2025. https://a.example/\n\n    More. https://b.example/\n")
    (item,) = entries(tree(html))
    assert item.find(".//cite") is None and [a.text for a in item.iter("a")][:2] == [
        "https://a.example/", "https://b.example/"]


def test_parse_reports_offsets_of_each_part():
    text = "Title. Port, 2025. https://a.example/"
    source = parse(text)
    assert (source.title, source.publisher, source.date, source.url) == (
        Span(0, 5), Span(7, 11), Span(13, 17), Span(19, 37))
    assert (source.date_value, source.url_value) == ("2025", "https://a.example/")
    assert parse(f"Title. {OBJECT}", {7: "https://a.example/"}).url_value == "https://a.example/"
    assert parse(f"Title. {OBJECT}") is None  # an element that is not an autolink: no URL, no date


@pytest.mark.parametrize("definition", [
    "a. " * 35_000,
    "http://" * 15_000,
    "x" * 100_000 + ". https://a.example/",
    "Title, " * 15_000 + "2025. https://a.example/",
    "U.S. " * 20_000 + "https://a.example/",
    '"' + "word " * 20_000 + '" Reuters, 2025.',
    "(" * 100_000,
    "2025 " * 20_000 + "(2025)",
])
def test_a_100_kb_definition_line_renders(definition):
    """Finishing at all is the test: a backtracking grammar would take hours on these."""
    html = render(f"Title: T\n\nX [^s].\n\n[^s]: {definition}\n")
    assert 'id="t-ref-1"' in html


README = Path(__file__).resolve().parents[1] / "README.md"


def editor_examples() -> list[str]:
    """The definitions of the README's "For editors" examples."""
    section = README.read_text(encoding="utf-8").split("## For editors", 1)[1]
    return re.findall(r"^\[\^\w+\]: .*$", section, re.MULTILINE)


def test_the_readme_examples_render_as_it_says():
    examples = editor_examples()
    assert len(examples) == 9
    html = render("Title: T\n\n" + " ".join(f"[^{line[2:line.index(']')]}]" for line in examples)
                  + "\n\n" + "\n".join(examples) + "\n")
    lines = read_page(html).lines()
    assert lines[lines.index("References:") + 1] == (
        "[1] Harbour reopens after storm. Port Authority, 15 July 2025. port.example.org/notices/2025-07-15")
    items = entries(tree(html))
    *named, bare = items
    for item in named:
        assert item.find("cite") is not None or item.find("span[@class='ref-publisher']") is not None
    assert item_parts(named[-1]) == {"cite": "Tide tables", "ref-publisher": "Coastguard", "time": "2025"}
    assert bare.find("cite") is None and bare.find("a").text.startswith("https://www.politico.com/")


def item_parts(item) -> dict[str, str]:
    return {element.get("class") or element.tag: "".join(element.itertext()) for element in item
            if element.tag in ("cite", "time") or element.get("class") == "ref-publisher"}
