"""The search index step: Pagefind indexes the built site, after Pelican, in its own process.

Not a Pelican plugin (no `register()`, not in PLUGINS): `make html`, `make publish` and
`make preview` run `python -m plugins.search OUTPUTDIR` once Pelican has finished, so the build
benchmark keeps measuring Pelican alone and the index has its own figure (bench/build.py). What
gets indexed is decided by the theme's `data-pagefind-*` attributes (README.md beside this file).
"""

from .indexer import SearchIndexError, build_index, find_pagefind

__all__ = ["SearchIndexError", "build_index", "find_pagefind"]
