"""Two articles or pages written to the same file are a `BuildError` naming both sources.

Pelican itself finds out only while writing the second one, and says which output file it
could not overwrite, not which content files collide (two articles with one `Slug:`, a file and
a symbolic link to it). `check_unique_outputs(generators)` (the `all_generators_finalized`
handler, before anything is written) raises at the later source's `Slug:` line, else its
`Title:` line, else line 1.
"""

from __future__ import annotations

import os

from plugins.build_errors import BuildError, display_path, metadata_line

#: The generators' lists of content that may be written (drafts only when DRAFT_SAVE_AS is set).
CONTENT_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
                 "drafts_translations", "pages", "hidden_pages", "draft_pages", "draft_translations")


def check_unique_outputs(generators) -> None:
    """`BuildError` for the first content file whose output another content file already has."""
    written: dict[str, object] = {}
    seen: set[int] = set()
    contents = [item for generator in generators for name in CONTENT_LISTS
                for item in getattr(generator, name, ()) or ()]
    for content in sorted(contents, key=lambda item: str(getattr(item, "source_path", ""))):
        save_as = getattr(content, "save_as", "")
        if id(content) in seen or not save_as:
            continue
        seen.add(id(content))
        first = written.setdefault(os.path.normpath(save_as), content)
        if first is not content:
            raise collision(content, first, save_as)


def collision(content, first, save_as: str) -> BuildError:
    path, other = content.source_path, display_path(first.source_path)
    if os.path.realpath(path) == os.path.realpath(first.source_path):
        return BuildError(path, 1, f"this file is a link to {other}, so its article would be "
                                   "written twice: remove the link")
    line = metadata_line(path, "Slug") or metadata_line(path, "Title") or 1
    return BuildError(path, line, f"this article would be written to {save_as}, as {other} is: "
                                  "give one of the two another Slug:")
