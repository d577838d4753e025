"""What the theme's templates would otherwise redo on every page or every build.

* `Once`, the `once` global: `{{ once(summary, article, "list", vary=SITEURL) }}` calls
  `summary(article, "list")` the first time and returns the same markup for the same arguments
  afterwards. An article's card is the same on its section page, each of its tags' pages and
  its authors' pages (some six listing pages per article): rendered once per build instead of
  once per page. The arguments and `vary` must be everything the result depends
  on (pass SITEURL: with RELATIVE_URLS it differs from page to page).
* Compiled templates are kept in `<CACHE_PATH>/jinja/` (Jinja's own bytecode cache, which
  checks each template's source before using it), so a build does not compile the theme again;
  and templates are not re-checked on disk at every include (`auto_reload` off: every build, and
  every `make regenerate` pass, makes new environments).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable

from jinja2 import FileSystemBytecodeCache


class Once:
    """A call cache for one Jinja environment (one generator of one build)."""

    def __init__(self) -> None:
        self._made: dict[tuple, object] = {}

    def __call__(self, render: Callable, *args: object, vary: Hashable = None) -> object:
        """`render(*args)`, computed once per macro name, arguments and `vary` (a text result is
        returned as the same type and text, kept encoded). Arguments are compared by identity
        unless plain values (an article is the same object all build long, so its id is not
        reused)."""
        key = (getattr(render, "name", None) or id(render), vary,
               *(arg if isinstance(arg, (str, int, float, bool, type(None))) else id(arg) for arg in args))
        try:
            made = self._made[key]
        except KeyError:
            made = render(*args)
            # Kept as UTF-8: a card holds a "·" or "…", so Python would store all of it at two
            # bytes a character; at 10,000 articles (two shapes each) the kept cards were ~40 MiB
            # of the build's peak memory. Decoding one costs ~0.4 us.
            self._made[key] = (type(made), made.encode("utf-8")) if isinstance(made, str) else made
            return made
        if isinstance(made, tuple):
            kind, encoded = made
            return kind(encoded.decode("utf-8"))
        return made


def prepare_environment(generator) -> None:
    """`generator_init` handler: the `once` global, the bytecode cache, no auto-reload."""
    env = generator.env
    env.globals["once"] = Once()
    env.auto_reload = False
    cache_path = generator.settings.get("CACHE_PATH")
    if cache_path:
        directory = os.path.join(cache_path, "jinja")
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError:  # a read-only checkout still builds, compiling as Pelican does
            return
        env.bytecode_cache = FileSystemBytecodeCache(directory)
