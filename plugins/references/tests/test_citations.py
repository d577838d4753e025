"""Citations (`citations.py`): the rendered markers, and finding keys in the source lines."""

from plugins.references.citations import definition_lines, marker_line

from .rendering import SEED_LIKE, markers, render, tree


def test_marker_markup_is_exact():
    html = render(SEED_LIKE)
    assert ('Allies buy weapons <sup class="ref"><a href="#seed-ref-1" id="seed-cite-1-1" '
            'role="doc-noteref">[1]</a></sup>.') in html


def test_named_keys_render_as_numbers():
    html = render("Title: T\n\nSee [^reuters-2025] and [^ap].\n\n[^ap]: AP\n[^reuters-2025]: Reuters\n")
    assert "reuters" not in "".join(a.get("href") + a.get("id") for a in markers(tree(html)))
    assert [a.text for a in markers(tree(html))] == ["[1]", "[2]"]


def test_marker_in_code_is_not_a_citation():
    html = render("Title: T\n\nText [^1] and `[^1]`.\n\n[^1]: S\n")
    assert len(markers(tree(html))) == 1
    assert "<code>[^1]</code>" in html


SOURCE = """Title: T

Intro [^a] and [^b].
   [^a]: Indented up to three spaces, citing [^b].
    [^c]: four spaces: a continuation, not a definition

[^b]: B
[^b]: B again
""".split("\n")


def test_definition_lines_are_one_based_and_allow_three_spaces_of_indent():
    assert definition_lines(SOURCE, "a") == [4]
    assert definition_lines(SOURCE, "b") == [7, 8]
    assert definition_lines(SOURCE, "c") == []


def test_marker_line_ignores_the_key_a_definition_opens_with_not_markers_after_it():
    assert marker_line(SOURCE, "a") == 3
    assert marker_line(["[^b]: B", "[^a]: cites [^b]"], "b") == 2
    assert marker_line(SOURCE, "missing") is None
