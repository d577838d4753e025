"""Tag, category and author pages told "is this article one of the term's" by a set, not a scan.

Pelican's `generate_tags`, `generate_categories` and `generate_authors` each compute a term's
`dates` as `[article for article in self.dates if article in articles]`: every article of the
site tested against a list of the term's articles, compared one by one. At 10,000 articles
(~55 tags, 3 sections, 12 authors, a tag holding up to a quarter of the articles) that is some
10^8 comparisons, ~7 s of a build.

Contract of `index_members` (`article_generator_finalized`): every term's list in the
generator's `tags`, `categories` and `authors` is replaced by a `Members` list holding the same
articles in the same order; `in` on it answers as a list's `in` does (Pelican's contents define
no `__eq__`, so a list's `in` is identity) from a set of the articles' ids. Only the generator's
own attributes, which Pelican's page writers iterate, are replaced: its context keeps its lists
(same articles), so templates read exactly what they read without the plugin.
"""

from __future__ import annotations


class Members(list):
    """A list whose `in` looks the item's id up in a set. The set is made for the list asked
    last (Pelican asks one term's list some N times in a row, then the next term's), so only one
    set is held at a time; it is made again if the list's length changed meanwhile."""

    #: (the list asked last, its length then, its items' ids); the list itself, not its id, so
    #: a freed list's id reused by another cannot answer from a stale set.
    _asked: tuple[Members, int, frozenset] | None = None

    def __contains__(self, item) -> bool:
        asked = Members._asked
        if asked is None or asked[0] is not self or asked[1] != len(self):
            asked = Members._asked = (self, len(self), frozenset(map(id, self)))
        # A list's `in` is `is` or `==`: an object equal to a member but not one (none of
        # Pelican's contents is) falls back to the list's own scan.
        return id(item) in asked[2] or (not _identity_only(item) and list.__contains__(self, item))


def _identity_only(item) -> bool:
    """Whether `item`'s class compares by identity (no `__eq__` of its own)."""
    return type(item).__eq__ is object.__eq__


def index_members(generator) -> None:
    """`article_generator_finalized` handler (see the module docstring)."""
    tags = getattr(generator, "tags", None)
    if isinstance(tags, dict):
        for tag, articles in tags.items():
            tags[tag] = Members(articles)
    for name in ("categories", "authors"):
        terms = getattr(generator, name, None)
        if isinstance(terms, list):
            terms[:] = [(term, Members(articles)) for term, articles in terms]
    Members._asked = None
