"""Author files: one per person, `content/<AUTHOR_FILES_PATH>/<slug>.md`, read into `AuthorProfile`.

`read_profile(path, relative, content, metadata, settings)` turns what Pelican's reader returned
for one author file into a profile, or raises `BuildError(path, line, message)` for a problem the
editor can fix: no `Name:`, a single-valued field given twice, a `Photo:` that is not an image
file inside the content folder, a `Links:` entry that is not an http(s) URL, an invisible control
character (NUL, ...) in the name, role or bio.

Names, roles and bios are the editor's own HTML (trusted like article text): templates put them
into text as they are and into attributes as `striptags|e`; `schema()` builds JSON-LD values as
plain text, which the templates serialise with `tojson`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from markupsafe import Markup
from PIL import Image, UnidentifiedImageError

from plugins.build_errors import CONTROL, CONTROL_MESSAGE, BuildError, metadata_line

#: Fields that hold one value: giving one twice is an error, not a silent choice.
SINGLE_FIELDS = ("name", "photo", "role")
#: Words of the bio kept for JSON-LD `description` and the author page's meta description.
DESCRIPTION_WORDS = 50
#: EXIF orientations that turn the picture a quarter turn: browsers show it with sides swapped.
QUARTER_TURNS = {5, 6, 7, 8}
_LINK_SEPARATORS = re.compile(r"[,\s]+")


@dataclass(frozen=True)
class Photo:
    """An image under content/: `path` as written (relative to content/, `/`-separated), `url`
    relative to SITEURL (Pelican copies the file to output/<path>), pixel size as displayed."""

    path: str
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Link:
    """A profile link: the http(s) `url` and a short `label` (host and path, without `www.`)."""

    url: str
    label: str


@dataclass(frozen=True)
class AuthorProfile:
    """One author file. `name`, `role` and `bio` are HTML; `description` is plain text."""

    source_path: str
    name: str
    slug: str
    role: str = ""
    bio: str = ""
    description: str = ""
    photo: Photo | None = None
    links: tuple[Link, ...] = field(default_factory=tuple)

    def schema(self, person: dict, siteurl: str) -> dict:
        """The schema.org `Person` `person` (with @type, name and url) plus what this file
        knows: sameAs, image (absolute with `siteurl`), jobTitle, description."""
        extra: dict = {}
        if self.links:
            extra["sameAs"] = [link.url for link in self.links]
        if self.photo:
            extra["image"] = f"{siteurl}/{self.photo.url}"
        if self.role:
            extra["jobTitle"] = plain(self.role)
        if self.description:
            extra["description"] = self.description
        return {**person, **extra}


def plain(html: str) -> str:
    """`html` as plain text: tags removed, entities decoded, whitespace collapsed."""
    return Markup(html).striptags()


def describe(bio: str) -> str:
    """The first DESCRIPTION_WORDS words of the bio as plain text, "…" when cut."""
    words = plain(bio).split()
    return " ".join(words[:DESCRIPTION_WORDS]) + (" …" if len(words) > DESCRIPTION_WORDS else "")


def _values(metadata: dict, key: str) -> list[str]:
    """A metadata field as a list of strings (Pelican gives a repeated field as a list)."""
    value = metadata.get(key)
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _single(path: str, metadata: dict, key: str) -> str:
    values = _values(metadata, key)
    # Markdown gives each indented continuation line as one more value: one `Key:` line is one value.
    if len(values) > 1 and metadata_line(path, key, occurrence=2) is None:
        values = [" ".join(part for value in values if (part := value.strip()))]
    if len(values) > 1:
        raise BuildError(path, metadata_line(path, key, occurrence=2),
                         f"{key.capitalize()} is given {len(values)} times: keep one {key.capitalize()}: line.")
    return values[0].strip() if values else ""


def _photo(path: str, value: str, content: Path) -> Photo:
    """The `Photo:` value checked: relative, inside content/, an existing image Pillow reads."""
    line = metadata_line(path, "Photo")
    relative = PurePosixPath(value)
    if "\0" in value or "\\" in value or relative.is_absolute() or re.match(r"^[A-Za-z]:", value) \
            or ".." in relative.parts:
        raise BuildError(path, line, f'Photo "{value}" must be a path inside content/, written from '
                                     "there, e.g. Photo: authors/jane-doe.jpg (no leading /, no ..).")
    root = content.resolve()
    try:
        target = (root / relative).resolve()
        is_file = target.is_file()
    except (OSError, RuntimeError):  # a name too long for the system, a loop of links
        target, is_file = root / relative, False
    if not target.is_relative_to(root):
        raise BuildError(path, line, f'Photo "{value}" leads outside content/ (a link?): put the image '
                                     "file itself inside content/.")
    if not is_file:
        raise BuildError(path, line, f'Photo "{value}" is not a file: no content/{value}. Check the '
                                     "spelling, or add the image there.")
    try:
        with Image.open(target) as image:
            width, height = image.size
            if image.getexif().get(0x0112) in QUARTER_TURNS:
                width, height = height, width
    # Pillow reports an unreadable or hostile file with many exception types.
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise BuildError(path, line, f'Photo "{value}" is not an image the build can read: use a JPEG, '
                                     "PNG, WebP or GIF file.") from None
    path_text = relative.as_posix()
    return Photo(path=path_text, url=quote(path_text), width=width, height=height)


def _links(path: str, metadata: dict) -> tuple[Link, ...]:
    links: dict[str, Link] = {}
    for value in _values(metadata, "links"):
        for url in filter(None, _LINK_SEPARATORS.split(value)):
            host = _web_host(url)
            if host is None:
                raise BuildError(path, _line_with(path, "Links", url),
                                 f'Links: "{url}" is not a web address: write each link in full, '
                                 "starting with https:// (separate several with commas).")
            links.setdefault(url, Link(url=url, label=host + urlsplit(url).path.rstrip("/")))
    return tuple(links.values())


def _web_host(url: str) -> str | None:
    """`url`'s host (and port), without `www.`, if it is an http(s) address; else None."""
    if any(ord(character) < 32 or ord(character) == 127 for character in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a malformed port or IPv6 address
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname.removeprefix("www.") + (f":{port}" if port else "")


def _line_with(path: str, key: str, text: str) -> int | None:
    """The first line of the metadata header that contains `text`, else the `key` field's line."""
    with open(path, encoding="utf-8", errors="replace") as lines:
        for number, content in enumerate(lines, start=1):
            if not content.strip():
                break
            if text in content:
                return number
    return metadata_line(path, key)


def control_line(path: str) -> int | None:
    """The first line of the file holding a CONTROL character."""
    with open(path, encoding="utf-8-sig", errors="replace") as lines:
        return next((number for number, text in enumerate(lines, start=1) if CONTROL.search(text)), None)


def read_profile(path: str, content_html: str, metadata: dict, content: Path, slug_of) -> AuthorProfile:
    """The profile of the author file at `path` (absolute), from its reader's output.

    `slug_of(name)` is the slug Pelican gives an author of that name (site slug settings)."""
    name = _single(path, metadata, "name")
    if not plain(name).strip():
        raise BuildError(path, metadata_line(path, "Name") or 1,
                         "author file without a name: start it with Name: and the name as bylines "
                         "show it, e.g. Name: Jane Doe")
    role = _single(path, metadata, "role")
    photo_value = _single(path, metadata, "photo")
    bio = content_html.strip()
    if any(CONTROL.search(text) for text in (name, role, bio)):
        raise BuildError(path, control_line(path), CONTROL_MESSAGE)
    return AuthorProfile(
        source_path=path, name=name, slug=slug_of(name), role=role, bio=bio, description=describe(bio),
        photo=_photo(path, photo_value, content) if photo_value else None, links=_links(path, metadata))


def file_slug(path: str) -> str:
    """The file name without its extension: the author slug a file can also be matched by."""
    return os.path.splitext(os.path.basename(path))[0]
