"""Hypothesis property: any set of citations renumbers into a consistent references list."""

import xml.etree.ElementTree as etree

import markdown
from hypothesis import given
from hypothesis import strategies as st

from plugins.references.links import short_url

from .html_text import read_page
from .rendering import EXTENSIONS, entries, markers

KEYS = st.from_regex(r"[A-Za-z0-9_-]{1,10}", fullmatch=True)


@st.composite
def documents(draw):
    """(keys in definition order, citation sequence): every key cited at least once."""
    keys = draw(st.lists(KEYS, min_size=1, max_size=8, unique=True))
    extra = draw(st.lists(st.sampled_from(keys), max_size=15))
    citations = draw(st.permutations(keys + extra))
    definition_order = draw(st.permutations(keys))
    return definition_order, citations


def url(definition_order: list[str], key: str) -> str:
    """The URL cited by `key` (keys may hold Markdown syntax such as `_`, so they stay out)."""
    return f"https://example.org/source-{definition_order.index(key)}"


def source(definition_order: list[str], citations: list[str]) -> str:
    sentences = " ".join(f"Claim {index} [^{key}]." for index, key in enumerate(citations))
    notes = "\n".join(f"[^{key}]: Source {url(definition_order, key)}" for key in definition_order)
    return f"Title: Property\n\n{sentences}\n\n{notes}\n"


@given(documents())
def test_citations_resolve_and_follow_first_citation(document):
    definition_order, citations = document
    html = markdown.Markdown(extensions=EXTENSIONS).convert(source(definition_order, citations))
    root = etree.fromstring(f"<root>{html}</root>")
    links, items = markers(root), entries(root)
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))

    first_cited = list(dict.fromkeys(citations))
    assert len(items) == len(first_cited)  # each source listed once, none uncited
    entry_ids = [item.get("id") for item in items]
    assert entry_ids == [f"property-ref-{number}" for number in range(1, len(items) + 1)]

    assert len(links) == len(citations)
    for key, link in zip(citations, links):
        number = first_cited.index(key) + 1
        assert link.text == f"[{number}]"
        assert link.get("href") == f"#property-ref-{number}"  # resolves to its entry

    for number, (key, item) in enumerate(zip(first_cited, items), start=1):
        assert "".join(item.itertext()).split() == [f"[{number}]", "Source", url(definition_order, key)]
        backlinks = [a.get("href") for a in item.iter("a") if a.get("role") == "doc-backlink"]
        assert len(backlinks) == citations.count(key)
        assert set(backlinks) <= {f"#{link.get('id')}" for link in links}
        assert len(set(backlinks)) == len(backlinks)


# --- Named references (sources.py) ---------------------------------------------------------------

URL_TAIL = "https://example.org/cited"
# Any one line of text, save what Markdown reads as something else than text at a definition's
# start or around the URL: `<` (raw HTML, comments, autolinks), `[` (link and abbreviation
# definitions, markers), backticks and backslashes (code, escapes), and leading spaces (code).
LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r<[`\\"),
               max_size=80).map(str.strip)


def entry_of(definition: str) -> etree.Element:
    html = markdown.Markdown(extensions=EXTENSIONS).convert(f"Title: P\n\nX [^s].\n\n[^s]: {definition}\n")
    (item,) = entries(etree.fromstring(f"<root>{html}</root>"))
    return item


@given(LINE, st.sampled_from(["", ".", ",", ":"]), st.sampled_from(["", "."]))
def test_any_definition_renders_and_keeps_its_url(text, separator, period):
    """Control characters included, which XML cannot hold: read as a browser would."""
    html = markdown.Markdown(extensions=EXTENSIONS).convert(
        f"Title: P\n\nX [^s].\n\n[^s]: {text}{separator} {URL_TAIL}{period}\n")
    reader = read_page(html[html.index('<li id="p-ref-1"'):])
    assert URL_TAIL in [attrs.get("href") for tag, attrs in reader.elements if tag == "a"]


WORDS = st.lists(st.from_regex(r"[A-Z][a-z]{1,9}", fullmatch=True), min_size=1, max_size=6).map(" ".join)
DATES = st.sampled_from([("2025-07-15", "2025-07-15"), ("15 July 2025", "2025-07-15"),
                         ("July 15, 2025", "2025-07-15"), ("Jul 2025", "2025-07"), ("2025", "2025")])
URLS = st.builds("https://{}{}.example/{}".format, st.sampled_from(["", "www."]),
                 st.from_regex(r"[a-z]{1,12}", fullmatch=True),
                 st.from_regex(r"([a-z0-9-]{1,20}/){0,4}[a-z0-9-]{0,20}", fullmatch=True))


@st.composite
def named_definitions(draw):
    """(definition, title, publisher, (date text, datetime), URL): one of the README's forms."""
    title, publisher = draw(st.one_of(st.none(), WORDS)), draw(st.one_of(st.none(), WORDS))
    date, url = draw(st.one_of(st.none(), DATES)), draw(st.one_of(st.none(), URLS))
    if title is None and date is None:
        publisher = None  # a lone name is read as a title
    if url is None and date is None:
        date = draw(DATES)  # without a URL only a date names a source
    if title is None and publisher is None and date is None:
        title = draw(WORDS)  # a URL alone is no named source
    if not (title or publisher) and date[0].isdigit():
        date = ("Jul 2025", "2025-07")  # "2025. https://..." is a numbered list in Markdown
    parts = [title] if title else []
    if publisher and date:
        parts.append(f"{publisher} ({date[0]})" if draw(st.booleans()) else f"{publisher}, {date[0]}")
    else:
        parts += [part for part in (publisher, date and date[0]) if part]
    definition = ". ".join(parts) + "." + (f" {url}" if url else "")
    return definition, title, publisher, date, url


@given(named_definitions())
def test_named_definitions_mark_up_each_part_and_read_as_written(named):
    definition, title, publisher, date, url = named
    item = entry_of(definition)
    texts = {element.tag if element.tag != "span" else element.get("class"): "".join(element.itertext())
             for element in item.iter() if element.tag in ("cite", "time") or element.get("class") == "ref-publisher"}
    assert texts == {key: value for key, value in
                     [("cite", title), ("ref-publisher", publisher), ("time", date and date[0])] if value}
    if date:
        assert item.find("time").get("datetime") == date[1]
    links = [a for a in item.iter("a") if a.get("role") is None]
    assert [(a.get("href"), a.text) for a in links] == ([(url, short_url(url))] if url else [])
    shown = definition if url is None else definition.replace(url, short_url(url))
    assert " ".join("".join(item.itertext()).split()) == f"[1] {shown}"
