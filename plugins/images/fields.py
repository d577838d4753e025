"""An article's lead-image metadata, checked: `Image`, `ImageAlt`, `ImageCaption`, `ImageCredit`.

`read_fields(article, content_root)` returns None for an article without them, else `ImageFields`
with the picture's resolved path under `content_root`; every mistake an editor can make is a
`BuildError` at the line of the field concerned. The picture itself is checked later, when it is
decoded (variants.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from plugins.build_errors import BuildError, display_path, metadata_line

#: Pelican lower-cases metadata keys; these are the editor's spellings, for messages and lines.
KEYS = {"image": "Image", "imagealt": "ImageAlt", "imagecaption": "ImageCaption",
        "imagecredit": "ImageCredit"}
EXAMPLE = "Image: images/harbour.jpg"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class ImageFields:
    """What the editor wrote: the picture (as written and resolved) and its texts."""

    path: str
    source: Path
    alt: str
    caption: str
    credit: str


def _error(article, key: str, message: str, occurrence: int = 1) -> BuildError:
    path = article.source_path
    return BuildError(path, metadata_line(path, KEYS[key], occurrence), message)


def _value(article, key: str) -> str | None:
    """The field's single value with control characters made spaces; None when absent."""
    value = article.metadata.get(key)
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        # Pelican keeps every value of a repeated key, and Markdown makes each indented
        # continuation line one more value: only a second `Key:` line is a mistake.
        given = sum(metadata_line(article.source_path, KEYS[key], n) is not None
                    for n in range(1, len(value) + 1))
        if given > 1:
            raise _error(article, key, f"{KEYS[key]} is given {given} times: an article has one "
                                       f"lead image; keep one {KEYS[key]} line", occurrence=2)
        value = " ".join(str(part).strip() for part in value)
    return _CONTROL.sub(" ", str(value)).strip()


def _shown(written: str, limit: int = 80) -> str:
    """The path as the editor wrote it, cut short when it would swamp the message."""
    return written if len(written) <= limit else written[:limit - 1] + "…"


def _resolve(article, written: str, content_root: Path) -> Path:
    """The picture's real path, which must be a file inside `content_root`."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", written):
        raise _error(article, "image", f"Image must be a picture file under content/, not a web "
                                       f"address: save the picture in content/images/ and write "
                                       f"its path, like `{EXAMPLE}`")
    if PurePosixPath(written).is_absolute() or os.path.isabs(written) or re.match(r"^[A-Za-z]:", written):
        raise _error(article, "image", f"Image must be a path relative to content/, like "
                                       f"`{EXAMPLE}`, not `{_shown(written)}`")
    candidate = content_root / written
    try:
        resolved = candidate.resolve()
        inside = resolved.is_relative_to(content_root.resolve())
        exists = inside and resolved.exists()
        is_file = exists and resolved.is_file()
    except RuntimeError:  # a symlink loop
        resolved, inside = None, False
    except OSError as error:  # e.g. a name longer than the file system allows
        raise _error(article, "image", f"Image `{_shown(written)}` cannot be a file name here "
                                       f"({error.strerror or error}): use a shorter path, like "
                                       f"`{EXAMPLE}`") from None
    if not inside:
        how = "links to a file" if resolved is not None and ".." not in PurePosixPath(written).parts \
            else "points"
        raise _error(article, "image", f"Image `{_shown(written)}` {how} outside content/: put the "
                                       f"picture under content/ (e.g. content/images/) and write "
                                       f"its path relative to content/, like `{EXAMPLE}`")
    if not exists:
        raise _error(article, "image", f"Image file not found: {_shown(display_path(candidate), 120)} "
                                       "does not exist (the path is relative to content/, and "
                                       "names are case-sensitive)")
    if not is_file:
        raise _error(article, "image", f"Image `{_shown(written)}` is a folder, not a picture file")
    if resolved.suffix.lower() in (".svg", ".svgz"):
        raise _error(article, "image", f"Image `{_shown(written)}` is an SVG: a lead image must be "
                                       "a photo-like picture that link previews show; export it "
                                       "as PNG (or JPEG) and use that")
    return resolved


def read_fields(article, content_root: Path) -> ImageFields | None:
    """The article's checked lead-image fields, or None when it has none of them."""
    present = {key: _value(article, key) for key in KEYS}
    written = present["image"]
    if written is None:
        stray = next((key for key in KEYS if present[key] is not None), None)
        if stray:
            raise _error(article, stray, f"{KEYS[stray]} is set but Image is not: add the picture "
                                         f"(`{EXAMPLE}`) or remove {KEYS[stray]}")
        return None
    if not written:
        raise _error(article, "image", f"Image is empty: give the picture's path relative to "
                                       f"content/ (`{EXAMPLE}`) or remove the line")
    if present["imagealt"] is None:
        raise _error(article, "image", "Image has no ImageAlt: add a line `ImageAlt: <what the "
                                       "picture shows>`, read to readers who cannot see it")
    if not present["imagealt"]:
        raise _error(article, "imagealt", "ImageAlt is empty: describe what the picture shows, "
                                          "for readers who cannot see it")
    return ImageFields(path=written, source=_resolve(article, written, content_root),
                       alt=present["imagealt"], caption=present["imagecaption"] or "",
                       credit=present["imagecredit"] or "")
