"""render(): the Markdown subset, and the sanitiser's guarantees as a Hypothesis property."""

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comments_service.core.render import LANGUAGE_CLASS, count_links, render, sanitize
from tests.comments_service.conftest import assert_inert


@pytest.mark.parametrize("text, html", [
    ("Hello *world* and __bold__", "<p>Hello <em>world</em> and <strong>bold</strong></p>"),
    ("Use `rm -rf`", "<p>Use <code>rm -rf</code></p>"),
    ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
    ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    ("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"),
    ("3. c\n4. d", '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>'),  # sane_lists keeps it
    ("- a\n\n1. b", "<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>b</li>\n</ol>"),  # no mixed list
    ("    code block", "<pre><code>code block\n</code></pre>"),
    ("[site](https://example.org)", '<p><a href="https://example.org" rel="nofollow ugc noopener">site</a></p>'),
    ("[mail](mailto:a@example.org)", '<p><a href="mailto:a@example.org" rel="nofollow ugc noopener">mail</a></p>'),
    ("<b>raw</b> html", "<p>&lt;b&gt;raw&lt;/b&gt; html</p>"),
    ("[x](javascript:alert(1))", '<p><a rel="nofollow ugc noopener">x</a></p>'),
    ("[x](/relative)", '<p><a rel="nofollow ugc noopener">x</a></p>'),
    ("![img](https://example.org/i.png)", "<p></p>"),
])
def test_markdown_subset(text, html):
    assert render(text) == html


@pytest.mark.parametrize("text, html", [
    ("line one\nline two", "<p>line one<br>\nline two</p>"),
    ("a\nb\nc", "<p>a<br>\nb<br>\nc</p>"),
    ("> one\n> two", "<blockquote>\n<p>one<br>\ntwo</p>\n</blockquote>"),
    ("- one\n  two", "<ul>\n<li>one<br>\n  two</li>\n</ul>"),
    # Code keeps its lines as typed: no <br> in an indented block or a code span.
    ("para one\npara two\n\n    code one\n    code two",
     "<p>para one<br>\npara two</p>\n<pre><code>code one\ncode two\n</code></pre>"),
    ("`a\nb` c\nd", "<p><code>a\nb</code> c<br>\nd</p>"),
])
def test_single_newline_is_a_line_break(text, html):
    assert render(text) == html


@pytest.mark.parametrize("text, html", [
    ("```\nx = 1\ny = 2\n```", "<pre><code>x = 1\ny = 2\n</code></pre>"),
    ("~~~\nx = 1\ny = 2\n~~~", "<pre><code>x = 1\ny = 2\n</code></pre>"),
    ("```python\nprint(1)\n```", '<pre><code class="language-python">print(1)\n</code></pre>'),
    ("~~~js\nf()\n~~~", '<pre><code class="language-js">f()\n</code></pre>'),
    ("text before\n```\ncode\n```\ntext after",
     "<p>text before</p>\n<pre><code>code\n</code></pre>\n<p>text after</p>"),
    # Inside a fence everything is literal: raw HTML, blank lines, Markdown, line ends (no <br>).
    ("```\n<script>alert(1)</script>\n\n# not a heading\n*not em* [not](https://link.example)\n```",
     "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n\n# not a heading\n"
     "*not em* [not](https://link.example)\n</code></pre>"),
])
def test_fenced_code_block(text, html):
    assert render(text) == html


def test_sanitize_keeps_only_a_code_language_class():
    html = sanitize('<code class="language-python">a</code><code class="language-python x">b</code>'
                    '<code class="evil">c</code><code class="language-">d</code>'
                    '<pre class="language-python">e</pre><p class="language-python">f</p>')
    assert html == ('<code class="language-python">a</code><code>b</code><code>c</code><code>d</code>'
                    '<pre>e</pre><p>f</p>')


@pytest.mark.parametrize("text, html", [
    *((f"{'#' * level} Heading", "<p><strong>Heading</strong></p>") for level in range(1, 7)),
    ("### Heading ###", "<p><strong>Heading</strong></p>"),
    ("Heading\n=======", "<p><strong>Heading</strong></p>"),
    ("Heading\n-------", "<p><strong>Heading</strong></p>"),
    ("# *Big* [news](https://example.org)",
     '<p><strong><em>Big</em> <a href="https://example.org" rel="nofollow ugc noopener">news</a></strong></p>'),
    ("# Title\ntext under it", "<p><strong>Title</strong></p>\n<p>text under it</p>"),
    ("> # Quoted", "<blockquote>\n<p><strong>Quoted</strong></p>\n</blockquote>"),
    ("- # Item", "<ul>\n<li>\n<p><strong>Item</strong></p>\n</li>\n</ul>"),
    ("#", "<p></p>"),
])
def test_heading_becomes_a_strong_paragraph(text, html):
    assert render(text) == html


def test_sanitize_strips_what_raw_html_could_smuggle():
    html = sanitize('<p onclick="x()">a<script>alert(1)</script><iframe src="https://x"></iframe>'
                    '<a href="data:text/html,x" style="x">b</a><a href="https://ok" rel="opener">c</a></p>')
    assert html == ('<p>a<a rel="nofollow ugc noopener">b</a>'
                    '<a href="https://ok" rel="nofollow ugc noopener">c</a></p>')


def test_count_links():
    assert count_links("see https://a.example, http://b.example and www.c.example or mailto:x@y.z") == 4
    assert count_links("no links, just example.org") == 0


HTML_PIECES = st.sampled_from([
    "<script>", "</script>", "<a href=", "<img src=", "javascript:", "JaVaScRiPt:", "data:", "vbscript:",
    " onerror=", " onclick=", " onload=", '"', "'", ">", "<", "[x](", ")", "](", "<svg", "<style>", "&#",
    "&#106;avascript:", "\n\n", "`", "*", "<!--", "-->", "//", "\\", "<a href='", "mailto:",
    "\n", "    ", "> ", "- ", "```", "```python\n", "~~~", ' class="', '<code class="language-', "#", "\n===",
])
TEXT = st.lists(st.one_of(HTML_PIECES, st.text(max_size=20)), max_size=30).map("".join)


class _Classes(HTMLParser):
    """Collects (tag, class value) for every element that has a class attribute."""

    def __init__(self):
        super().__init__()
        self.classes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.classes += [(tag, value) for name, value in attrs if name == "class"]


def assert_only_language_classes(html: str) -> None:
    """The one class the sanitiser lets through: a single language-… name on <code>."""
    parser = _Classes()
    parser.feed(html)
    parser.close()
    for tag, value in parser.classes:
        assert tag == "code" and LANGUAGE_CLASS.fullmatch(value or ""), html


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_rendered_text_is_always_inert(text):
    html = render(text)
    assert_inert(html)
    assert_only_language_classes(html)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_sanitised_raw_html_is_always_inert(html):
    cleaned = sanitize(html)
    assert_inert(cleaned)
    assert_only_language_classes(cleaned)
