"""`LeadImage`: what the theme gets as `article.lead_image` (partials/lead_image.html and the
Open Graph and JSON-LD of article.html)."""

from __future__ import annotations

from dataclasses import dataclass

from .fields import ImageFields
from .rendition import Rendition, Variant

#: The article column: 44rem wrap less 2rem padding (theme/static/css/site.css).
SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
#: What `<img src>` (browsers without srcset) shows, and the width link previews ask for.
SRC_WIDTH = 800
SHARE_WIDTH = 1200


@dataclass(frozen=True)
class LeadImage:
    """A lead image ready to render. Variant paths (`folder/file`) are relative to SITEURL."""

    alt: str
    caption: str
    credit: str
    folder: str
    rendition: Rendition
    sizes: str = SIZES

    def path(self, variant: Variant) -> str:
        return f"{self.folder}/{variant.file}"

    @property
    def webp(self) -> tuple[Variant, ...]:
        return self.rendition.of_type("image/webp")

    @property
    def fallback(self) -> tuple[Variant, ...]:
        """JPEG (PNG for transparent pictures) variants, narrowest first."""
        return self.rendition.of_type(self.rendition.fallback_mime)

    @property
    def fallback_mime(self) -> str:
        return self.rendition.fallback_mime

    @property
    def largest(self) -> Variant:
        """Its width and height are the `<img>`'s, so the page keeps the room before loading."""
        return self.fallback[-1]

    @property
    def src(self) -> Variant:
        return _closest(self.fallback, SRC_WIDTH)

    @property
    def thumbnail(self) -> Variant:
        """The `<img src>` of the small picture on list pages: the narrowest fallback."""
        return self.fallback[0]

    @property
    def share(self) -> Variant:
        """The fallback variant for og:image and JSON-LD: the widest up to 1200 pixels."""
        return _closest(self.fallback, SHARE_WIDTH)

    def srcset(self, siteurl: str, variants: tuple[Variant, ...]) -> str:
        return ", ".join(f"{siteurl}/{self.path(variant)} {variant.width}w" for variant in variants)

    def structured(self, siteurl: str) -> dict:
        """schema.org ImageObject for the article's JSON-LD `image`."""
        share = self.share
        data = {"@type": "ImageObject", "url": f"{siteurl}/{self.path(share)}",
                "width": share.width, "height": share.height}
        if self.caption:
            data["caption"] = self.caption
        if self.credit:
            data["creditText"] = self.credit
        return data


def _closest(variants: tuple[Variant, ...], width: int) -> Variant:
    """The widest of `variants` no wider than `width`, else the narrowest."""
    fitting = [variant for variant in variants if variant.width <= width]
    return fitting[-1] if fitting else variants[0]


def lead_image(fields: ImageFields, rendition: Rendition, folder: str) -> LeadImage:
    return LeadImage(alt=fields.alt, caption=fields.caption, credit=fields.credit,
                     folder=folder, rendition=rendition)
