"""freeze / freeze_urls on real Pelican articles: the values Pelican computes, computed once."""

from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from plugins.memo import freeze, freeze_urls


def article(slug="harbour", **metadata):
    settings = dict(DEFAULT_CONFIG, ARTICLE_URL="{slug}.html", ARTICLE_SAVE_AS="{slug}.html")
    return Article("<p>Text</p>", metadata={"title": "Harbour", "slug": slug, **metadata},
                   settings=settings, source_path="content/harbour.md")


def test_the_frozen_url_is_pelicans_own():
    entry = article()
    url = entry.url
    freeze(entry)
    assert entry.override_url == url == "harbour.html"


def test_save_as_is_not_overridden():
    """To Pelican's writer an override_save_as means "may replace another output file"."""
    entry = article()
    freeze(entry)
    assert not hasattr(entry, "override_save_as")


def test_after_freezing_the_setting_is_not_formatted_again():
    entry = article()
    freeze(entry)
    entry.settings["ARTICLE_URL"] = "changed/{slug}/"  # would show if Pelican formatted it again
    assert entry.url == "harbour.html"


def test_an_editors_url_metadata_is_kept():
    entry = article(url="special/harbour/", save_as="special/harbour/index.html")
    freeze(entry)
    assert (entry.url, entry.save_as) == ("special/harbour/", "special/harbour/index.html")


def test_every_list_of_the_generator_is_frozen():
    class Generator:
        articles, drafts, hidden_translations = [article("a")], [article("b")], [article("c")]

    freeze_urls(Generator)
    assert [entry.override_url for name in ("articles", "drafts", "hidden_translations")
            for entry in getattr(Generator, name)] == ["a.html", "b.html", "c.html"]
