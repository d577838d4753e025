"""What a source picture's variants are, without Pillow: records, encoder settings, the recipe.

Kept apart from variants.py so that a build whose pictures are all cached (or a site without
lead images) never imports Pillow.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Encoder settings; part of the cache key (`recipe()`), so changing one remakes every variant.
WEBP = {"quality": 80, "method": 4}
JPEG = {"quality": 82, "optimize": True, "progressive": True}
PNG = {"optimize": True}
#: Bumped when the pipeline changes in a way that changes output bytes.
VERSION = 3
MIME = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}


class ImageProblem(Exception):
    """Why a file cannot be a lead image, to be read after "Image content/x.jpg ..."."""


@dataclass(frozen=True)
class Variant:
    """One encoded file: its name (`<key>-<width>.<ext>`), pixel size and MIME type."""

    file: str
    width: int
    height: int
    mime: str


@dataclass(frozen=True)
class Rendition:
    """Every variant made from one source picture (identified by `key`), widest last."""

    key: str
    variants: tuple[Variant, ...]

    def of_type(self, mime: str) -> tuple[Variant, ...]:
        return tuple(variant for variant in self.variants if variant.mime == mime)

    @property
    def fallback_mime(self) -> str:
        """The type older browsers and link previews get: JPEG, or PNG for transparent pictures."""
        return "image/png" if any(v.mime == "image/png" for v in self.variants) else "image/jpeg"


def recipe(widths: tuple[int, ...]) -> str:
    """Everything besides the source bytes that decides the output: part of the cache key."""
    return f"v{VERSION} widths={list(widths)} webp={WEBP} jpeg={JPEG} png={PNG}"
