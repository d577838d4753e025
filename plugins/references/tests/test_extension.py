"""The extension as a whole (`extension.py`): namespaces, citation errors, reuse, `plain_body`."""

from contextlib import nullcontext

import markdown
import pytest

from plugins.references.extension import CitationError, plain_body, source_file

from .rendering import EXTENSIONS, SEED_LIKE, markers, render, tree


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
