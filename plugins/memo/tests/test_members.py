"""Term lists that answer `in` from a set (plugins/memo/members.py)."""

import time
from types import SimpleNamespace

from plugins.memo.members import Members, index_members


class Article:
    """Compares by identity, as Pelican's contents do."""


def test_terms_are_replaced_by_members_lists_with_the_same_articles():
    a, b, c = Article(), Article(), Article()
    tag_list, category_list, author_list = [a, b], [c], [b, c]
    generator = SimpleNamespace(tags={"t": tag_list}, categories=[("news", category_list)],
                                authors=[("jane", author_list)])
    index_members(generator)
    assert type(generator.tags["t"]) is Members and generator.tags["t"] == [a, b]
    assert type(generator.categories[0][1]) is Members and generator.categories == [("news", [c])]
    assert type(generator.authors[0][1]) is Members and generator.authors == [("jane", [b, c])]
    # Pelican's own line, as generate_tags runs it: the same dates in the same order.
    dates = [c, b, a]
    assert [x for x in dates if x in generator.tags["t"]] == [b, a]
    assert [x for x in dates if x in generator.authors[0][1]] == [c, b]


def test_in_does_not_scan_the_list():
    """30,000 lookups in a 30,000-item list: ~4.5e8 comparisons for a list (seconds), 30,000 set
    lookups for Members (milliseconds)."""
    articles = [Article() for _ in range(30_000)]
    members = Members(articles)
    started = time.perf_counter()
    assert all(article in members for article in reversed(articles))
    assert Article() not in members
    assert time.perf_counter() - started < 1.0


def test_a_grown_list_and_equal_objects_answer_as_a_list_does():
    a, b = Article(), Article()
    members = Members([a])
    assert b not in members
    members.append(b)
    assert b in members  # the set is made again when the length changed
    assert "x" in Members(["x"]) and "y" not in Members(["x"])  # str compares by value
    assert ("t", 1) in Members([("t", 1)])
