"""render(): the Markdown subset, and the sanitiser's guarantees as a Hypothesis property."""

from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from markdown.inlinepatterns import LinkInlineProcessor

from comments_service.core import render as rendering
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


#: Texts Python-Markdown spent seconds over (its link patterns scanned from every "[" to the
#: block's end: 10,000 "[" took 9 s), each found by the fuzzer or built like one it found.
QUADRATIC = ["[" * 10_000, "![" * 5_000, "[" * 5_000 + "]" * 5_000, "[a](" * 2_500, "[![" * 3_333,
             "[a][" * 2_500, ")a{\\][" * 1_428, "\n".join("[" * 50 for _ in range(190)),
             "[" * 40 + "a" * 9_960, "[" * 10 + "\\>" * 4_995, "[" * 10 + "`a`" * 3_330]


#: Markdown's link scanners, and where each returns the index it scanned to.
SCANNERS = {"getText": 1, "getLink": 2}


@contextmanager
def counting_scans(*names: str):
    """The characters Markdown's link patterns scan with the scanners `names`, counted (a list
    of one number) while the block runs."""
    counted, originals = [0], {name: getattr(LinkInlineProcessor, name) for name in names}

    def counting(name, original):
        def scan(self, data, index):
            result = original(self, data, index)
            counted[0] += max(0, result[SCANNERS[name]] - index)
            return result
        return scan

    for name, original in originals.items():
        setattr(LinkInlineProcessor, name, counting(name, original))
    try:
        yield counted
    finally:
        for name, original in originals.items():
            setattr(LinkInlineProcessor, name, original)


@pytest.fixture
def scanned():
    """The characters Markdown's link patterns scan (getText and getLink's spans), counted."""
    with counting_scans(*SCANNERS) as counted:
        yield counted


@pytest.mark.parametrize("text", QUADRATIC, ids=range(len(QUADRATIC)))
def test_text_markdown_would_take_seconds_over_is_shown_as_typed(text, scanned):
    html = render(text)
    assert scanned[0] <= rendering.SCAN_BUDGET  # Markdown never ran its quadratic scans
    assert html == rendering.plain(text)
    assert_inert(html)


def test_lists_nested_past_the_recursion_limit_are_shown_as_typed_and_the_next_text_renders():
    """Markdown recursed once per level: a RecursionError, a 500 on POST, PATCH and preview."""
    text = "1. " * 1_000 + "deep"
    assert render(text) == rendering.plain(text)
    assert render("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"


@pytest.mark.parametrize("text, html", [
    ("a <b> & c", "<p>a &lt;b&gt; &amp; c</p>\n"),
    ("one\ntwo\n\n\n  three ", "<p>one<br>\ntwo</p>\n<p>three</p>\n"),
    ("  \n\n", ""),
])
def test_plain_keeps_paragraphs_and_lines_and_escapes_the_rest(text, html):
    assert rendering.plain(text) == html


def test_comments_with_links_code_and_brackets_stay_markdown():
    """The budget is far above what comments written by people cost (about their length)."""
    links = " ".join(f"[source {n}](https://example.org/{n}) [{n}]" for n in range(60))
    code = "```\n" + "[[1, 2], [3, 4]], " * 300 + "\n```"
    for text in (links, code, links + "\n\n[unclosed " + "word " * 1_500):
        assert rendering.bracket_scan_cost(text) < rendering.SCAN_BUDGET / 2
        assert render(text) != rendering.plain(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="[]()!\\ a\n`*<>:", max_size=600))
def test_markdown_scans_a_small_multiple_of_the_estimate(text):
    with counting_scans("getText") as counted:
        rendering._markdown().convert(text)
    # Linear in the text at worst beyond the estimate (placeholders: ~16 characters each).
    assert counted[0] <= 8 * rendering.bracket_scan_cost(text) + 16 * len(text)
