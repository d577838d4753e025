"""Two articles or pages written to the same file are a `BuildError` naming both sources; so is an
article or page written where the site writes one of its listings (a tag's page 2, the front
page: listings.py), naming the listing, and an address (from `Slug:`) with a quote, `<`, `>`,
`?`, `#` or a control character, which Pelican would write unescaped into every link to it.

Pelican itself finds out only while writing the second one, and says which output file it
could not overwrite, not which content files collide (two articles with one `Slug:`, a file and
a symbolic link to it). `check_unique_outputs(generators)` (the `all_generators_finalized`
handler, before anything is written) raises at the later source's `Slug:` line, else its
`Title:` line, else line 1; for a file a listing takes, at the content's `Save_as:` line first,
when it names its file itself. Two listings written to one file (settings that give tags and
sections one folder) raise at the field of the later listing's first article that makes it.
It also keeps which source each output file comes from (`WRITTEN`), so that when Pelican later
fails to write one of its own pages over an article's file, `overwritten_by(error)` names the
article instead: the fallback for a file listings.py does not foresee (a feed, say).
"""

from __future__ import annotations

import os
import re

from plugins.build_errors import BuildError, display_path, metadata_line

from .listings import Listing, site_listings, theme_file

#: The generators' lists of content that may be written (drafts only when DRAFT_SAVE_AS is set).
CONTENT_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
                 "drafts_translations", "pages", "hidden_pages", "draft_pages", "draft_translations")


#: The output file (absolute, normalised) of every article and page of the build, to its content.
WRITTEN: dict[str, object] = {}
#: Where the file a listing is written to comes from, when no content file does.
SETTINGS_FILE = "pelican.conf.py"
#: What cannot stand in an href="..." as Pelican writes it (unescaped), nor in a file name.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"'<>\\?#]")
_OVERWRITE = re.compile(r'Failed to overwrite "(.+)" as Pelican')
#: An address that leaves the site: a scheme (javascript:, https:) or a host (//evil.example/),
#: which every link, the canonical link and the feeds would follow.
_OFF_SITE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:|//)")
#: A file name that is only its extension: a slug made from a Title, section or tag without
#: letters or digits ("🔥🔥🔥", "???"), written as a dotfile (.html) that web servers often refuse.
_NAMELESS = re.compile(r"(?:^|/)\.[^/]*$")
#: Bytes a file name may have (ext4, most file systems): a longer Title or Slug ended the build on
#: "OSError: File name too long", naming no file.
NAME_MAX = 255


def check_unique_outputs(generators) -> None:
    """`BuildError` for the first content file whose output another content file, or a listing,
    already has; then for two listings with one file."""
    written: dict[str, object] = {}
    WRITTEN.clear()
    seen: set[int] = set()
    contents = [item for generator in generators for name in CONTENT_LISTS
                for item in getattr(generator, name, ()) or ()]
    for content in sorted(contents, key=lambda item: str(getattr(item, "source_path", ""))):
        save_as = getattr(content, "save_as", "")
        if id(content) in seen or not save_as:
            continue
        seen.add(id(content))
        url = getattr(content, "url", "") or ""
        if _UNSAFE.search(save_as) or _UNSAFE.search(url):
            raise unsafe_address(content)
        if _OFF_SITE.match(url):
            raise off_site(content)
        if any(len(part.encode()) > NAME_MAX for part in save_as.split("/")):
            raise too_long(content, save_as)
        if _NAMELESS.search(save_as):
            raise nameless(content, save_as)
        theme = theme_file(save_as, getattr(content, "settings", {}))
        if theme is not None:
            raise taken(content, theme)
        first = written.setdefault(os.path.normpath(save_as), content)
        if first is not content:
            raise collision(content, first, save_as)
        output = getattr(content, "settings", {}).get("OUTPUT_PATH", "")
        WRITTEN[os.path.normpath(os.path.abspath(os.path.join(output, save_as)))] = content
    check_listings(generators, written)


def check_listings(generators, written: dict[str, object]) -> None:
    """`BuildError` for the first listing file that content (`written`: save_as to content) or
    another listing already has."""
    listed: dict[str, Listing] = {}
    for listing in site_listings(generators):
        if _NAMELESS.search(listing.save_as) and listing.source is not None:
            path = listing.source.source_path
            raise BuildError(path, metadata_line(path, listing.field) or 1,
                             f"{listing.what} has no letters or digits to make its address from "
                             f"(it would be `{listing.save_as}`): write it with letters or digits")
        if listing.save_as in written:
            raise taken(written[listing.save_as], listing)
        first = listed.setdefault(listing.save_as, listing)
        if first is not listing:
            raise listings_collide(listing, first)


def overwritten_by(error: BaseException) -> BuildError | None:
    """For Pelican's `FileOverwriteFailedError` on an article's or page's output file: the
    `BuildError` at that content's `Slug:` (the site's own page came second)."""
    match = _OVERWRITE.search(str(error))
    content = match and WRITTEN.get(os.path.normpath(os.path.abspath(match.group(1))))
    if not content:
        return None
    path = content.source_path
    return BuildError(path, metadata_line(path, "Slug") or metadata_line(path, "Title") or 1,
                      f"this article is written to {content.save_as}, which the site writes itself "
                      "(a list page): give the article another Slug:")


def unsafe_address(content) -> BuildError:
    path = content.source_path
    return BuildError(path, metadata_line(path, "Slug") or metadata_line(path, "Title") or 1,
                      f"the address `{content.url or content.save_as}` has characters a link cannot "
                      "hold: write the Slug with letters, digits and hyphens, like "
                      "`Slug: harbour-reopens`")


def off_site(content) -> BuildError:
    path = content.source_path
    return BuildError(path, metadata_line(path, "URL") or address_line(path),
                      f"the address `{content.url}` leads off the site: an article's URL: is a path "
                      "on the site, like `URL: news/harbour-reopens.html`")


def nameless(content, save_as: str) -> BuildError:
    return BuildError(content.source_path, address_line(content.source_path),
                      f"this line has no letters or digits to make the address from (it would be "
                      f"`{save_as}`): give the article a Slug:")


def too_long(content, save_as: str) -> BuildError:
    return BuildError(content.source_path, address_line(content.source_path),
                      f"the file name `{os.path.basename(save_as)[:40]}...` made from this line is "
                      f"longer than the {NAME_MAX} bytes a file name can have: give the article a "
                      "shorter Slug:")


def collision(content, first, save_as: str) -> BuildError:
    path, other = content.source_path, display_path(first.source_path)
    if os.path.realpath(path) == os.path.realpath(first.source_path):
        return BuildError(path, 1, f"this file is a link to {other}, so its article would be "
                                   "written twice: remove the link")
    line = metadata_line(path, "Slug") or metadata_line(path, "Title") or 1
    return BuildError(path, line, f"this article would be written to {save_as}, as {other} is: "
                                  "give one of the two another Slug:")


def address_line(path) -> int:
    """The header line that gives a content file its address."""
    return (metadata_line(path, "Save_as") or metadata_line(path, "Slug")
            or metadata_line(path, "Title") or 1)


def taken(content, listing: Listing) -> BuildError:
    kind = "page" if type(content).__name__ == "Page" else "article"
    field = "Save_as" if metadata_line(content.source_path, "Save_as") else "Slug"
    return BuildError(content.source_path, address_line(content.source_path),
                      f"this {kind} would be written to {listing.save_as}, where the site writes "
                      f"{listing.what}: give the {kind} another {field}:")


def listings_collide(listing: Listing, first: Listing) -> BuildError:
    message = (f"{listing.what} would be written to {listing.save_as}, as {first.what} is: "
               "give one of the two another name")
    if listing.source is None:
        return BuildError(SETTINGS_FILE, None, message)
    path = listing.source.source_path
    return BuildError(path, metadata_line(path, listing.field) or 1, message)
