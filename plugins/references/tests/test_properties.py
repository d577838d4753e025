"""Hypothesis property: any set of citations renumbers into a consistent references list."""

import xml.etree.ElementTree as etree

import markdown
from hypothesis import given
from hypothesis import strategies as st

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
