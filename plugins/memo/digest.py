"""Fingerprints of what a page is rendered from (plugins/memo/pages.py decides with them).

`Digester.of(value)` is a SHA-256 (hex, 32 digits) of a canonical text of `value`, the same in
every process for the same value; a value it cannot read soundly raises `Unknown`, and the page
is then rendered (never skipped on a guess). Contract, per kind of value:

* text, numbers, None, bytes, dates (ISO form and time zone), paths: their value and type
  (a `Markup` is not a `str`: the template escapes one and not the other);
* lists, tuples, dicts (in their order: a template iterates them so), sets (sorted);
* a Pelican article or page: every attribute but `settings` (which must be the build's, hashed
  in pages.py) and `_context` (the site-wide lookup tables), memoized for the build: an article
  is one object all build long. Its HTML is used as stored, so an article whose HTML holds an
  intrasite link (`{filename}`, `{static}`, ...: resolved from `_context`, other articles' URLs)
  is `Unknown`; so is one whose HTML was already released (plugins/memo/release.py);
* tags, sections, authors (Pelican's URL wrappers): their attributes (name, slug, and what
  plugins add: an author's profile), `settings` left out as above (their URLs are made from
  those and the settings);
* a listing page (Pelican's paginator `Page`): its number, its articles, its name and URL
  pattern, and its paginator's page count, article count and page size; not the paginator's
  whole list (the theme reads a page's own articles, `articles_page.object_list`); a
  paginator (`articles_paginator`) by the same numbers, name and URL;
* the comments plugin's lazy objects: `Bake` by its fields (settings, key, the UTC day forms
  are dated to, closing rule), `LazyThread` by its bake, comments and open state (its article
  is the one being fingerprinted), `BakedSection` by its bake and thread;
* functions and classes by qualified name (their code is in pages.py's code fingerprint);
* dataclasses, named tuples and other objects of this project's packages (plugins,
  comments_service): type and attributes (their code is in the code fingerprint too).
Anything else is `Unknown`. Objects that live all build (articles, terms, the bake, large
lists of the shared context) are memoized by id, each held so its id is not reused; terms are
not (each article has tag, section and author objects of its own: 55,000 at 10,000 articles),
but what plugins attach to them is (an author's profile is one object for all its articles).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import PurePath

from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper

#: Modules whose objects are read attribute by attribute (their code is fingerprinted).
OWN_PACKAGES = ("plugins.", "comments_service.")
#: Article attributes not hashed: the settings (pages.py hashes the build's) and the site's
#: lookup tables (see the module docstring for what that requires of the HTML).
NOT_HASHED = frozenset({"settings", "_context"})
#: Pelican's intrasite link markers open with one of these; HTML holding neither has none.
LINK_OPENERS = ("{", "|")
#: Types whose repr is their value.
_PLAIN = frozenset({bool, int, float, type(None)})
#: Lists at least this long are memoized (the shared context's site-wide lists).
MEMO_LENGTH = 64
DEPTH_LIMIT = 40


class Unknown(Exception):
    """A value whose fingerprint cannot be stated: render the page."""


class Digester:
    """Fingerprints for one build (memoized objects are held until it ends)."""

    def __init__(self, settings: dict | None = None) -> None:
        self.settings = settings
        self._memo: dict[int, tuple[object, bytes]] = {}
        self._open: set[int] = set()

    def of(self, value) -> str:
        parts: list[str] = []
        self._add(value, parts, 0)
        return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def _memoized(self, value, make) -> str:
        key = id(value)
        held = self._memo.get(key)
        if held is not None and held[0] is value:
            return held[1].hex()
        if key in self._open:
            raise Unknown(f"a cycle through {type(value).__name__}")
        self._open.add(key)
        try:
            parts: list[str] = []
            make(value, parts)
            made = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest()[:16]
        finally:
            self._open.discard(key)
        self._memo[key] = (value, made)  # bytes: ~100 bytes an article less than hex text
        return made.hex()

    def _add(self, value, parts: list[str], depth: int) -> None:  # noqa: C901 - one case per kind
        kind = type(value)
        if kind is str:
            parts.append("s" + text(value))
        elif kind in _PLAIN:
            parts.append(f"{kind.__name__}:{value!r}")
        elif depth > DEPTH_LIMIT:  # a cycle through short lists or dicts, or data too deep
            raise Unknown("too deep")
        elif kind is list or kind is tuple:
            if len(value) >= MEMO_LENGTH:
                parts.append("L" + self._memoized(value, lambda v, p: self._items(v, p, depth)))
            else:
                parts.append(f"{kind.__name__}[{len(value)}")
                self._items(value, parts, depth)
        elif kind is dict:
            parts.append(f"dict{{{len(value)}")
            for key, item in value.items():
                self._add(key, parts, depth + 1)
                self._add(item, parts, depth + 1)
        elif isinstance(value, Content):
            parts.append("C" + self._memoized(value, self._content))
        elif isinstance(value, URLWrapper):  # one per article: not memoized (build memory)
            self._term(value, parts)
        elif isinstance(value, Page):
            self._page(value, parts, depth)
        elif isinstance(value, Paginator):
            parts += self._paginator(value)
        elif _is_own(kind):
            self._object(value, kind, parts, depth)
        elif isinstance(value, str):  # Markup: escaped by the template as a str is not
            parts.append(f"{kind.__module__}.{kind.__qualname__}:{text(value)}")
        elif isinstance(value, bytes):
            parts.append(f"bytes:{value.hex()}")
        elif isinstance(value, (dt.datetime, dt.date, dt.time)):
            parts.append(f"{kind.__name__}:{value.isoformat()}:{getattr(value, 'tzinfo', None)!s}")
        elif isinstance(value, dt.tzinfo):
            parts.append(f"tz:{kind.__qualname__}:{value!s}")
        elif isinstance(value, PurePath):
            parts.append(f"{kind.__name__}:{text(str(value))}")
        elif isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
            parts.append(f"{kind.__module__}.{kind.__qualname__}[{len(value)}")
            self._items(value, parts, depth)
        elif isinstance(value, dict):
            parts.append(f"{kind.__module__}.{kind.__qualname__}{{{len(value)}")
            for key, item in value.items():
                self._add(key, parts, depth + 1)
                self._add(item, parts, depth + 1)
        elif isinstance(value, (set, frozenset)):
            parts.append(f"set[{len(value)}")
            parts.extend(sorted(self.of(item) for item in value))
        elif callable(value) and hasattr(value, "__qualname__"):
            parts.append(f"callable:{getattr(value, '__module__', '')}.{value.__qualname__}")
        else:
            raise Unknown(f"{kind.__module__}.{kind.__qualname__}")

    def _items(self, values, parts: list[str], depth: int) -> None:
        for item in values:
            self._add(item, parts, depth + 1)

    def _object(self, value, kind, parts: list[str], depth: int) -> None:
        """An object of this project's code: the comments plugin's lazy objects by their inputs,
        others by type and attributes."""
        name = f"{kind.__module__}.{kind.__qualname__}"
        if name == "plugins.comments.LazyThread":  # its article is the one being hashed
            fields = {"bake": value._bake, "comments": value._comments, "open": value._is_open}
        elif name == "plugins.comments.BakedSection":
            fields = {"bake": value.bake, "thread": value.thread}
        elif name == "plugins.comments.Bake":
            parts.append("bake:" + self._memoized(value, lambda v, p: self._add(tuple(v), p, depth + 1)))
            return
        else:
            names = _field_names(kind)
            if names is None:
                raise Unknown(name)
            parts.append(name)
            if names == VARS:  # a plain object: its attributes
                self._add(vars(value), parts, depth + 1)
            else:
                for field in names:
                    self._add(getattr(value, field), parts, depth + 1)
            return
        parts.append(name)
        self._add(fields, parts, depth + 1)

    def _content(self, content, parts: list[str]) -> None:
        attributes = vars(content)
        if "_get_content" in attributes:
            raise Unknown(f"the HTML of {content.source_path} was released")
        if self.settings is not None and attributes.get("settings") is not self.settings:
            raise Unknown(f"{content.source_path} has settings of its own")
        html = attributes.get("_content") or ""
        if any(opener in html for opener in LINK_OPENERS) and \
                content._get_intrasite_link_regex().search(html):
            raise Unknown(f"{content.source_path} links other content")
        parts.append(f"{type(content).__qualname__}")
        for name, item in attributes.items():
            if name == "metadata" and type(item) is dict:
                self._metadata(item, attributes, parts)
            elif name not in NOT_HASHED:
                parts.append(name)
                self._add(item, parts, 1)

    def _metadata(self, metadata: dict, attributes: dict, parts: list[str]) -> None:
        """An article's metadata: a value that is its attribute of the same name (Pelican sets
        one per metadata key), hashed there, is written as "=" (a third of an article's work)."""
        parts.append(f"metadata{{{len(metadata)}")
        for key, item in metadata.items():
            parts.append("s" + text(key) if type(key) is str else repr(key))
            if type(key) is str and attributes.get(key, parts) is item:
                parts.append("=")
            else:
                self._add(item, parts, 2)

    def _term(self, term, parts: list[str]) -> None:
        parts.append(f"{type(term).__qualname__}")
        for name, item in vars(term).items():
            if name in NOT_HASHED:
                continue
            parts.append(name)
            if _is_own(type(item)):  # an author's profile: one object shared by all its articles
                parts.append("P" + self._memoized(item, lambda value, into: self._add(value, into, 2)))
            else:
                self._add(item, parts, 1)

    def _page(self, page: Page, parts: list[str], depth: int) -> None:
        parts += ["page", text(page.full_name), text(page.base_url), str(page.number),
                  *self._paginator(page.paginator)]
        parts.append(f"list[{len(page.object_list)}")
        self._items(page.object_list, parts, depth)

    @staticmethod
    def _paginator(paginator: Paginator) -> list[str]:
        return ["paginator", text(paginator.name), text(str(paginator.url)), str(paginator.num_pages),
                str(paginator.count), str(paginator.per_page), str(paginator.orphans)]


_FIELD_NAMES: dict[type, tuple[str, ...] | str | None] = {}


#: `_field_names` of a class whose objects are read by their `__dict__`.
VARS = "__dict__"


def _field_names(kind) -> tuple[str, ...] | str | None:
    """A dataclass's or named tuple's field names; VARS for an object read by its `__dict__`;
    None for one that has neither (a class with `__slots__` and no fields)."""
    if kind not in _FIELD_NAMES:
        if dataclasses.is_dataclass(kind):
            names = tuple(field.name for field in dataclasses.fields(kind))
        elif issubclass(kind, tuple) and hasattr(kind, "_fields"):
            names = tuple(kind._fields)
        elif not hasattr(kind, "__slots__"):
            names = VARS
        else:
            names = None
        _FIELD_NAMES[kind] = names
    return _FIELD_NAMES[kind]


def text(value: str) -> str:
    """Free text as a part: its length first, so that text holding the separator ("\x1f") cannot
    make two different values' parts join to one string (("a\x1fsb", "c") and ("a", "b\x1fsc"))."""
    return f"{len(value)}:{value}"


def _is_own(kind) -> bool:
    return kind.__module__.startswith(OWN_PACKAGES)
