"""Pelican plugin: compute once per build what Pelican and the theme would redo on every page.

* `urls.freeze_urls` (`article_generator_finalized`, `page_generator_finalized`): each content
  item's url, stored once every file is read.
* `members.index_members` (`article_generator_finalized`): each tag's, section's and author's
  list of articles answers `in` from a set (Pelican's term pages test every article against it).
* `templates.prepare_environment` (`generator_init`): the `once` template global for markup
  that is the same on many pages (an article's card in listings), Jinja's bytecode cache in
  CACHE_PATH, and no template re-checks during a build.
* `release.release_content` (`content_written`): an article's HTML is let go once its page is
  written, its last use (build memory).
* `attributes.compact_attributes` (`all_generators_finalized`): each article's attribute dict
  copied to one sized for what the plugins set (build memory).
* `pages.PageSkipper`, made by `writer.UnchangedFilesWriter` when CACHE_PATH is set: a page
  whose fingerprint (`digest.py`, of every name its templates can read: `reads.py`) and file
  match the last build's manifest is not rendered again; `pages.save_manifests` (`finalized`)
  writes the manifest of a build that finished.
* `heap.HeapTrimmer` (`content_written`): freed heap memory given back to the system every
  TRIM_EVERY files written and before the first (glibc's malloc_trim; build memory).

It is second in PLUGINS, after build_errors, so the other plugins' handlers of the same signals
read the stored URLs. A plugin that changes a slug after that must call `urls.freeze` again:
none does.
"""

from __future__ import annotations

from pelican import signals

from .attributes import compact_attributes
from .heap import HeapTrimmer
from .members import Members, index_members
from .pages import save_manifests
from .release import ContentReleased, release_content
from .templates import Once, prepare_environment
from .urls import freeze, freeze_urls

__all__ = ["ContentReleased", "HeapTrimmer", "Members", "Once", "compact_attributes", "freeze",
           "freeze_urls", "index_members", "prepare_environment", "register", "release_content"]


#: One per process (blinker keeps a weak reference to a receiver).
trim_heap = HeapTrimmer()


def register():
    signals.generator_init.connect(prepare_environment)
    signals.article_generator_finalized.connect(freeze_urls)
    signals.article_generator_finalized.connect(index_members)
    signals.page_generator_finalized.connect(freeze_urls)
    signals.all_generators_finalized.connect(compact_attributes)
    signals.content_written.connect(release_content)
    signals.content_written.connect(trim_heap)
    signals.get_writer.connect(trim_heap.before_writing)
    signals.finalized.connect(save_manifests)
