"""An article's HTML is let go once its page is written (plugins/memo/release.py)."""

import pytest
from datetime import datetime

from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from plugins.memo.release import ContentReleased, release_content

HTML = "<p>First paragraph of the story, long enough to be cut.</p><p>Second.</p>"


def article(**settings) -> Article:
    config = {**DEFAULT_CONFIG, "SUMMARY_MAX_LENGTH": 3, **settings}
    return Article(HTML, metadata={"title": "Harbour", "slug": "harbour", "date": datetime(2025, 7, 15)},
                   settings=config, context={"localsiteurl": ""})


def written(item: Article, name: str | None = None) -> dict:
    """The local context Pelican's writer sends with `content_written` for an article page."""
    return {"article": item, "output_file": name or item.save_as}


def test_after_its_page_is_written_the_content_is_gone_and_reading_it_says_so():
    item = article()
    assert item.content == HTML  # memoized by Pelican for this site URL
    summary = item.summary
    release_content("output/harbour.html", context=written(item))
    assert not hasattr(item, "_content")
    assert not any(key[0] is item for key in Article.get_content.cache)
    with pytest.raises(ContentReleased, match="harbour"):
        item.content  # noqa: B018 - the access is the test
    assert item.summary == summary  # listings still print it


def test_the_summary_is_made_before_the_content_goes():
    item = article()
    release_content("output/harbour.html", context=written(item))
    assert item.summary == "<p>First paragraph of …</p>"


@pytest.mark.parametrize("context", [
    {"output_file": "index.html"},  # a listing: no article of its own
    {"article": None, "output_file": "harbour.html"},
])
def test_other_pages_release_nothing(context):
    item = article()
    release_content("output/x.html", context={**context})
    assert item.content == HTML


def test_a_page_written_elsewhere_for_the_article_releases_nothing():
    """Only the article's own page (its save_as) is its last use."""
    item = article()
    release_content("output/elsewhere.html", context=written(item, "elsewhere.html"))
    assert item.content == HTML


def test_with_relative_urls_the_content_stays():
    """Each page then has its own site URL, and a summary for another one is made from the
    content."""
    item = article(RELATIVE_URLS=True)
    release_content("output/harbour.html", context=written(item))
    assert item.content == HTML
