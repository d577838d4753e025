"""Unit tests of bare-URL linking (`links.py`), on ElementTree elements without Markdown."""

import xml.etree.ElementTree as etree

import pytest
from markdown.util import AtomicString

from plugins.references.links import SHORT_URL_LENGTH, link_bare_urls, short_url


def linked(html: str) -> str:
    """`html` (one element) after `link_bare_urls`, serialised again."""
    element = etree.fromstring(html)
    link_bare_urls(element)
    return etree.tostring(element, encoding="unicode")


@pytest.mark.parametrize(("definition", "url", "after"), [
    ("https://example.org/a?b=1&amp;c=2", "https://example.org/a?b=1&amp;c=2", ""),
    ("Report, https://example.org/r.", "https://example.org/r", "."),
    ("(see https://example.org/wiki/A_(b))", "https://example.org/wiki/A_(b)", ")"),
    ('"https://example.org/q?x=1!"', "https://example.org/q?x=1", '!"'),
    ("http://example.org/a, http://example.org/b;", "http://example.org/a", ", "),
])
def test_url_ends_before_trailing_punctuation_and_unbalanced_parenthesis(definition, url, after):
    html = linked(f"<li>{definition}</li>")
    assert f'<a href="{url}">{url}</a>{after}' in html


def test_text_around_urls_is_kept_exactly():
    html = "<li>A https://a.example/x and https://b.example/y, done.</li>"
    assert linked(html) == ('<li>A <a href="https://a.example/x">https://a.example/x</a> and '
                            '<a href="https://b.example/y">https://b.example/y</a>, done.</li>')


def test_urls_in_tails_and_nested_elements_are_linked():
    html = "<li><em>see https://a.example/</em> and https://b.example/</li>"
    assert linked(html) == ('<li><em>see <a href="https://a.example/">https://a.example/</a></em> '
                            'and <a href="https://b.example/">https://b.example/</a></li>')


@pytest.mark.parametrize("tag", ["a", "code", "pre"])
def test_nothing_inside_links_or_code_is_linked(tag):
    html = f'<li><{tag}>https://inside.example/</{tag}> https://after.example/</li>'
    assert linked(html) == (f'<li><{tag}>https://inside.example/</{tag}> '
                            '<a href="https://after.example/">https://after.example/</a></li>')


def test_atomic_text_and_text_without_urls_stay_as_they_are():
    element = etree.Element("li")
    element.text = AtomicString("https://final.example/")
    link_bare_urls(element)
    assert len(element) == 0 and element.text == "https://final.example/"
    assert linked("<li>http and ftp://x.example/ only</li>") == "<li>http and ftp://x.example/ only</li>"


def test_url_stops_at_a_markdown_placeholder():
    element = etree.Element("li")
    element.text = "https://a.example/\x02wzxhzdk:0\x03"
    link_bare_urls(element)
    assert element[0].get("href") == "https://a.example/"
    assert element[0].tail == "\x02wzxhzdk:0\x03"


@pytest.mark.parametrize(("url", "text"), [
    ("https://www.port.example.org/notices/2025-07-15", "port.example.org/notices/2025-07-15"),
    ("http://user:secret@WWW.Example.org:8080/a/b/?q=1#f", "Example.org:8080/a/b"),
    ("https://example.org/", "example.org"),
    ("https://example.org", "example.org"),
    ("https://www2.example.org/a", "www2.example.org/a"),
    ("https://www.politico.com/newsletters/national-security-daily/2025/07/14/making-sense-00452001",
     "politico.com/newsletters/…/making-sense-00452001"),
    ("https://example.org/" + "f" * 30 + "/m/" + "l" * 20, "example.org/…/" + "l" * 20),
    ("https://example.org/a/" + "b" * 60, "example.org/a/" + "b" * 35 + "…"),
    ("https://example.org/" + "c" * 80, "example.org/" + "c" * 37 + "…"),
    ("https://[::1/x", "https://[::1/x"),  # not a URL urlsplit can read: shown in full
    ("https:///path-without-host", "https:///path-without-host"),
])
def test_short_url_keeps_host_and_path_shortening_long_paths(url, text):
    assert short_url(url) == text
    assert len(short_url(url)) <= SHORT_URL_LENGTH or short_url(url) == url
