"""Each article's attributes kept in a dict sized for them (issue 16, target 5: build memory).

Python keeps the attributes of instances of one class in "split" dicts sharing one table of
names, at ~300 bytes an article, as long as the class has no more than 30 attribute names in
all. Pelican's articles have ~24; the plugins add ~13 (`override_url`, `related_reading`,
`comments_thread`, ...), so each article's dict becomes an ordinary one, grown for many more
insertions: 128 slots, 1,584 bytes. Copied once every attribute is set, the same 37-38 names
fit a 64-slot dict of ~830 bytes: ~7 MiB at 10,000 articles, held from there to the end of the
build.

Contract: `compact_attributes` (`all_generators_finalized`: every generator's context and every
plugin's finalizing handlers are done) replaces the `__dict__` of every article, translation,
draft and page with a copy holding the same attributes in the same order; nothing else
changes, and attributes set later are set as on any object. The heap is trimmed after (heap.py):
the old dicts are freed below the top of the heap.
"""

from __future__ import annotations

from itertools import chain

from plugins.build_errors.outputs import CONTENT_LISTS

from .heap import trim


def compact_attributes(generators) -> None:
    """`all_generators_finalized` handler (see the module docstring)."""
    for generator in generators:
        for item in chain.from_iterable(getattr(generator, name, ()) for name in CONTENT_LISTS):
            item.__dict__ = dict(item.__dict__)
    trim()
