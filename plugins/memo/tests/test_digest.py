"""Fingerprints of page inputs (plugins/memo/digest.py): stable, sensitive, and `Unknown` for
what they cannot state soundly."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from markupsafe import Markup
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from plugins.memo.digest import Digester, Unknown
from plugins.memo.release import release_content

SETTINGS = dict(DEFAULT_CONFIG, SITEURL="")


@dataclass(frozen=True)
class Card:
    title: str
    date: datetime


def article(text="<p>Text.</p>", **metadata):
    metadata = {"title": "A title", "date": datetime(2025, 7, 1, tzinfo=UTC), "slug": "a"} | metadata
    return Article(text, metadata=metadata, settings=SETTINGS, context={"generated_content": {}})


def test_equal_values_give_equal_fingerprints_and_any_difference_another():
    digester = Digester(SETTINGS)
    assert digester.of(["a", 1, {"k": None}]) == Digester().of(["a", 1, {"k": None}])
    assert digester.of("<b>") != digester.of(Markup("<b>"))  # escaped by a template, or not
    assert digester.of({"a": 1, "b": 2}) != digester.of({"b": 2, "a": 1})  # iteration order
    assert digester.of({"x", "y"}) == digester.of({"y", "x"})
    assert digester.of(Card("t", datetime(2025, 1, 1))) != digester.of(Card("u", datetime(2025, 1, 1)))
    assert digester.of(["ab"]) != digester.of(["a", "b"])


def test_an_article_is_fingerprinted_by_its_text_and_attributes():
    one, same, other_text, other_title = article(), article(), article("<p>Other.</p>"), article(title="B")
    digester = Digester(SETTINGS)
    assert digester.of(one) == digester.of(same)
    assert len({digester.of(one), digester.of(other_text), digester.of(other_title)}) == 3
    one.related = [Card("Another", datetime(2025, 7, 2))]  # what a plugin adds counts too
    assert Digester(SETTINGS).of(one) != digester.of(same)


@pytest.mark.parametrize("html", ['<a href="{filename}/other.md">other</a>', '<img src="|static|/a.png">'])
def test_an_article_linking_other_content_is_unknown(html):
    with pytest.raises(Unknown, match="links other content"):
        Digester(SETTINGS).of(article(html))


def test_a_released_article_is_unknown_unless_fingerprinted_before():
    kept, released = article(), article(slug="b")
    digester = Digester(SETTINGS)
    before = digester.of(kept)
    for item in (kept, released):
        release_content(item.save_as, {"article": item, "output_file": item.save_as})
    assert digester.of(kept) == before  # memoized while its HTML was there
    with pytest.raises(Unknown, match="released"):
        digester.of(released)


def test_other_objects_and_cycles_are_unknown():
    with pytest.raises(Unknown, match="object"):
        Digester().of([object()])
    loop = []
    loop.extend([loop] * 64)  # long enough to be memoized: the cycle is seen
    with pytest.raises(Unknown):
        Digester().of(loop)
    short = {"self": None}
    short["self"] = [short]
    with pytest.raises(Unknown, match="too deep"):
        Digester().of(short)


def test_text_holding_the_separator_cannot_make_two_values_one():
    digester = Digester(SETTINGS)
    assert digester.of(("a\x1fsb", "c")) != digester.of(("a", "b\x1fsc"))
    assert digester.of({"k\x1fsv": "w"}) != digester.of({"k": "v\x1fsw"})
