"""Comment links beside references and paragraph anchors (comment_links.py), on HTML the
extension really produced, and through the Pelican signal with a memoized content."""

from datetime import datetime
from types import SimpleNamespace

from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from plugins.references.comment_links import add_comment_links, annotate

from .html_text import read_page
from .rendering import EXTENSIONS, render

TWO_SOURCES = """Title: Two
Slug: two

> A quoted paragraph [^b].

The port reopened [^a], officials said [^b].

[^a]: https://a.example/notice
[^b]: Harbour office, https://b.example/
"""


def entry_lines(html: str) -> list[str]:
    lines = read_page(html).lines()
    return lines[lines.index("References:") + 1:]


def test_a_source_nobody_discussed_reads_as_before_and_offers_a_labelled_link():
    html = render(TWO_SOURCES)
    annotated = annotate(html, "two", {}, True)
    assert entry_lines(annotated) == entry_lines(html)
    reader = read_page(annotated)
    links = reader.with_attr("class", "ref-comments")
    assert [(link["href"], link["data-ref"], link["aria-label"]) for link in links] == [
        ("#comment-form", "1", "Comment on source [1]"), ("#comment-form", "2", "Comment on source [2]")]


def test_counts_read_beside_each_entry_after_its_backlinks():
    annotated = annotate(render(TWO_SOURCES), "two", {1: 1, "2": 3}, True)
    assert entry_lines(annotated) == ["[1] https://a.example/notice 1 comment",
                                      "[2] Harbour office, b.example 3 comments"]
    first = annotated.index('id="two-ref-1"')
    assert annotated.index('class="backlinks"', first) < annotated.index('class="ref-comments"', first)
    second = annotated.index('id="two-ref-2"')  # cited twice: lettered back-links
    assert (annotated.index('class="backlinks lettered"', second)
            < annotated.index('class="ref-comments"', second) < annotated.index("</li>", second))
    assert "aria-label" not in annotated[annotated.index('class="ref-comments"'):].split("</a>")[0]


def test_a_closed_thread_links_what_was_said_and_offers_nothing_new():
    annotated = annotate(render(TWO_SOURCES), "two", {2: 2}, False)
    links = read_page(annotated).with_attr("class", "ref-comments")
    assert [(link["href"], link["data-ref"]) for link in links] == [("#comments", "2")]


def test_paragraphs_of_the_body_are_numbered_and_the_references_are_not():
    annotated = annotate(render(TWO_SOURCES), "two", {}, True)
    ids = read_page(annotated).ids()
    assert [name for name in ids if "-p-" in name] == ["two-p-1", "two-p-2"]  # the quote's, then the body's
    assert annotated.index('id="two-p-2"') < annotated.index('class="references"')


def test_an_article_without_references_gets_anchors_only():
    annotated = annotate("<p>One.</p>\n<p class=\"lead\">Two.</p>\n<p id=\"kept\">Three.</p>", "a", {}, True)
    assert annotated == ('<p id="a-p-1">One.</p>\n<p id="a-p-2" class="lead">Two.</p>\n'
                         '<p id="kept">Three.</p>')


def article(content: str, **attributes) -> Article:
    settings = {"SITEURL": "", "TIMEZONE": "UTC", "DEFAULT_LANG": "en", "ARTICLE_URL": "{slug}.html",
                "ARTICLE_SAVE_AS": "{slug}.html", "MARKDOWN": {"extensions": EXTENSIONS}}
    item = Article(content, metadata={"title": "Two", "slug": "two", "date": datetime(2025, 7, 15)},
                   settings={**DEFAULT_CONFIG, **settings})
    for name, value in attributes.items():
        setattr(item, name, value)
    return item


def test_the_signal_handler_annotates_threaded_articles_even_after_content_was_read():
    html = render(TWO_SOURCES)
    threaded = article(html, comments_thread={"slug": "two", "open": True, "reference_counts": {1: 4}})
    assert "ref-comments" not in threaded.content  # read once (feeds do): memoized
    add_comment_links(SimpleNamespace(), threaded)
    assert "4 comments" in threaded.content and 'id="two-p-1"' in threaded.content
    plain = article(html)
    add_comment_links(SimpleNamespace(), plain)
    assert plain.content == html


def test_each_article_forgets_only_its_own_memoized_content_whenever_it_was_read():
    """The index of memoized renders follows the cache as it grows between articles."""
    html = render(TWO_SOURCES)
    thread = {"slug": "two", "open": True, "reference_counts": {1: 4}}
    first, second, third = (article(html, comments_thread=thread) for _ in range(3))
    assert first.content == html
    add_comment_links(SimpleNamespace(), first)
    assert second.content == html and third.get_content("https://news.example.org") == html
    add_comment_links(SimpleNamespace(), second)
    add_comment_links(SimpleNamespace(), third)
    for item in (first, second, third):
        assert "4 comments" in item.content
    assert "4 comments" in third.get_content("https://news.example.org")
